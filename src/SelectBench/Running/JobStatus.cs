namespace SelectBench.Running;

/// <summary>What status.json records. The done marker, not this file, decides whether a job is finished.</summary>
public enum JobState { Pending, Running, Done, Failed }

/// <summary>
/// &lt;run&gt;/jobs/&lt;id&gt;/status.json: the last attempt of a job (written atomically at start and end).
/// </summary>
public sealed record JobStatus(
    JobState State,
    string Key,
    int Attempt,
    string Host,
    int Pid,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt = null,
    string? Error = null,
    string? LogPath = null,
    int Threads = 1,
    string? SlurmJobId = null)
{
    public TimeSpan? Duration => EndedAt is { } end ? end - StartedAt : null;
}
