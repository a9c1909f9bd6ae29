namespace OpenSesame.Predictor.Specs;

/// <summary>The spec could not be obtained or is not an OpenAPI document; the message is safe to show the caller.</summary>
public sealed class SpecException : Exception
{
    public SpecException(string message)
        : base(message)
    {
    }

    public SpecException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SpecException()
    {
    }
}
