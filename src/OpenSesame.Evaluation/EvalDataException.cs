namespace OpenSesame.Evaluation;

/// <summary>
/// A dataset or the spec it needs cannot be read. The message names the file (and line) or the places searched,
/// because the person running an evaluation has to fix the file, not read a stack trace.
/// </summary>
public sealed class EvalDataException : Exception
{
    public EvalDataException(string message)
        : base(message)
    {
    }

    public EvalDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EvalDataException()
    {
    }
}
