namespace OpenSesame.Evaluation.Tests;

/// <summary>Small specs for hand-written evaluation files.</summary>
internal static class Specs
{
    public const string Pets = """
        openapi: 3.0.0
        info: {title: Pets, version: "1"}
        paths:
          /pets:
            get: {operationId: listPets, responses: {"200": {description: ok}}}
            post: {operationId: createPet, responses: {"201": {description: ok}}}
          /pets/{petId}:
            get: {operationId: getPet, parameters: [{name: petId, in: path, required: true, schema: {type: string}}], responses: {"200": {description: ok}}}
            delete: {operationId: deletePet, parameters: [{name: petId, in: path, required: true, schema: {type: string}}], responses: {"204": {description: ok}}}
          /pets/{petId}/adopt:
            post: {operationId: adoptPet, parameters: [{name: petId, in: path, required: true, schema: {type: string}}], responses: {"200": {description: ok}}}
          /pets/search:
            post: {operationId: searchPets, responses: {"200": {description: ok}}}
        """;
}
