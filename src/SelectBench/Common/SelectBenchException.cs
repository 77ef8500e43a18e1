namespace SelectBench.Common;

/// <summary>
/// A problem the user can fix (bad path, bad config value, corrupt file). The CLI prints its message on
/// one line, without a stack trace. Messages name the file or field and say what to do.
/// </summary>
public class SelectBenchException : Exception
{
    public SelectBenchException(string message) : base(message) { }
    public SelectBenchException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Bad input data: a corrupt image, a truncated shard, an unknown label.</summary>
public sealed class BadInputException : SelectBenchException
{
    public string Item { get; }
    public BadInputException(string item, string message) : base($"{item}: {message}") => Item = item;
    public BadInputException(string item, string message, Exception inner) : base($"{item}: {message}", inner) => Item = item;
}
