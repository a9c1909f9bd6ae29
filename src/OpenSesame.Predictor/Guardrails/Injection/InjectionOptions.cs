namespace OpenSesame.Predictor.Guardrails.Injection;

/// <summary>What happens to a request whose prompt or params look like instructions aimed at a model.</summary>
public enum InjectionAction
{
    /// <summary>Answer it, with local models only: no language model sees its text. The response and the log say
    /// which fields and rules were matched.</summary>
    LocalOnly,

    /// <summary>Refuse it with 400 problem details naming the fields (never their content).</summary>
    Reject,
}

/// <summary>Prompt-injection detection. Section "Guardrails:Injection" of the configuration.</summary>
public sealed class InjectionOptions
{
    public const string Section = "Guardrails:Injection";

    /// <summary>Inspect the prompt, event endpoints and event params of every request. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>What to do with a flagged request. Default <see cref="InjectionAction.LocalOnly"/>.</summary>
    public InjectionAction Action { get; set; } = InjectionAction.LocalOnly;
}
