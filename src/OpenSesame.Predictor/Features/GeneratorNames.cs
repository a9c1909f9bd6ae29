namespace OpenSesame.Predictor.Features;

/// <summary>The generators the features know by name: a candidate's rank in each is a feature of its own.</summary>
public static class GeneratorNames
{
    /// <summary>The always-on, offline generator.</summary>
    public const string Local = "local";

    /// <summary>The language-model generator, when a provider has a key.</summary>
    public const string Llm = "llm";
}
