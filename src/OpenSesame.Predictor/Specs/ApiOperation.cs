namespace OpenSesame.Predictor.Specs;

/// <summary>Where a parameter travels; request-body fields count as <see cref="Body"/>.</summary>
public enum ParameterLocation
{
    Path,
    Query,
    Header,
    Cookie,
    Body,
}

/// <summary>What an operation does to its resource, inferred from method, path shape and wording.</summary>
public enum OperationKind
{
    List,
    Search,
    Read,
    Create,
    Update,
    Delete,
    Action,
}

/// <param name="Type">JSON schema type names joined by '|' ("string", "integer|string"), null when the spec says none.</param>
/// <param name="Enum">The allowed values, as text, when the schema lists them.</param>
public sealed record ApiParameter(string Name, ParameterLocation In, bool Required, string? Type, string? Description,
    IReadOnlyList<string>? Enum = null);

/// <summary>One operation of a spec: the unit every prediction names.</summary>
public sealed class ApiOperation
{
    public required int Index { get; init; }
    public required string Method { get; init; }
    public required string PathTemplate { get; init; }
    public string? OperationId { get; init; }
    public string? Summary { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<ApiParameter> Parameters { get; init; } = [];
    public bool Deprecated { get; init; }

    /// <summary>Entities whose ids a successful response carries (<c>results[].id</c> of a <c>Movie</c> → movie).</summary>
    public IReadOnlyList<string> ResponseEntities { get; init; } = [];

    public required PathShape Path { get; init; }
    public required OperationKind Kind { get; init; }
    public required bool IsDestructive { get; init; }

    /// <summary>"METHOD /path/{template}", the form the API answers with and evaluation compares.</summary>
    public string Key => $"{Method} {PathTemplate}";

    public IEnumerable<ApiParameter> PathParameters => Parameters.Where(p => p.In == ParameterLocation.Path);

    public override string ToString() => Key;
}
