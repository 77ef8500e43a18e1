using System.Text.Json;
using System.Text.Json.Serialization;

namespace SelectBench.Running;

/// <summary>What status.json records. The done marker, not this file, decides whether a job is finished.</summary>
public enum JobState { Pending, Running, Done, Failed }

/// <summary>How one attempt of a job ended (written as a lower-case word in status.json).</summary>
[JsonConverter(typeof(LowerCaseEnumConverter<AttemptOutcome>))]
public enum AttemptOutcome
{
    /// <summary>Started and not (yet) ended.</summary>
    Running,
    Done,

    /// <summary>A <see cref="Common.SelectBenchException"/>: bad settings or input, or divergence. Another attempt would fail the same way.</summary>
    Failed,

    /// <summary>An unexpected exception, or the job's process died (a signal such as SIGSEGV, or an exit without a record). Retried once.</summary>
    Crashed,

    Cancelled,

    /// <summary>Still "running" when the next attempt began: its process was killed with the whole run before it could record an end.</summary>
    Interrupted,
}

/// <summary>One attempt of a job, as status.json lists it.</summary>
/// <param name="Number">The job's attempt counter when it started (<see cref="JobStatus.Attempt"/>), across every key.</param>
/// <param name="Error">The first line of the error; the whole error is in status.json's error (last attempt) and in the log.</param>
public sealed record JobAttempt(int Number, DateTimeOffset StartedAt, AttemptOutcome Outcome = AttemptOutcome.Running,
    DateTimeOffset? EndedAt = null, string? Error = null)
{
    public string? Host { get; init; }
    public int Pid { get; init; }

    /// <summary>The job process's exit code (`selectbench job`'s contract, docs/running.md); null when the job ran as a thread.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The signal that ended the job's process ("SIGSEGV"), or null.</summary>
    public string? Signal { get; init; }

    /// <summary>Whether the executor ran the job again after this attempt.</summary>
    public bool Retried { get; init; }

    /// <summary>"done", "failed", "crashed with SIGSEGV".</summary>
    public string Describe()
    {
        var word = Outcome.ToString().ToLowerInvariant();
        return Signal is null ? word : $"{word} with {Signal}";
    }
}

/// <summary>
/// &lt;run&gt;/jobs/&lt;id&gt;/status.json: the last attempt of a job in the top-level fields (written atomically at
/// start and end), and every attempt made with the current key in <see cref="Attempts"/>.
/// </summary>
/// <param name="Attempt">How many attempts the job has had in this run folder, across keys.</param>
/// <param name="Attempts">The attempts with <see cref="Key"/>, oldest first; absent in files written before attempts
/// were recorded (see <see cref="History"/>).</param>
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
    string? SlurmJobId = null,
    IReadOnlyList<JobAttempt>? Attempts = null)
{
    public TimeSpan? Duration => EndedAt is { } end ? end - StartedAt : null;

    /// <summary>
    /// The attempts with the current key. An older status.json without the list yields the one attempt its
    /// top-level fields describe, so old run folders read and resume as before.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<JobAttempt> History => Attempts ??
    [
        new JobAttempt(Attempt, StartedAt, State switch
        {
            JobState.Done => AttemptOutcome.Done,
            JobState.Failed => AttemptOutcome.Failed,
            _ => AttemptOutcome.Running,
        }, EndedAt, JobOutcome.FirstLine(Error)) { Host = Host, Pid = Pid },
    ];

    /// <summary>
    /// The status of a new attempt by process <paramref name="pid"/> on this host. Attempts of the same key
    /// are kept (one still "running" was interrupted); a changed key starts a new list.
    /// </summary>
    public static JobStatus Begin(JobStatus? previous, PlannedJob job, int pid, int threads, string logPath, string? slurmJobId)
    {
        var now = DateTimeOffset.UtcNow;
        var number = (previous?.Attempt ?? 0) + 1;
        var earlier = previous is not null && previous.Key == job.Key
            ? previous.History.Select(a => a.Outcome == AttemptOutcome.Running ? a with { Outcome = AttemptOutcome.Interrupted } : a)
            : [];
        var attempt = new JobAttempt(number, now) { Host = Environment.MachineName, Pid = pid };
        return new JobStatus(JobState.Running, job.Key, number, Environment.MachineName, pid, now, LogPath: logPath, Threads: threads,
            SlurmJobId: slurmJobId, Attempts: [.. earlier, attempt]);
    }

    /// <summary>The last attempt ended with <paramref name="outcome"/>; <paramref name="error"/> is kept whole here, its first line in the attempt.</summary>
    public JobStatus End(AttemptOutcome outcome, string? error)
    {
        var now = DateTimeOffset.UtcNow;
        var ended = WithLastAttempt(a => a with { Outcome = outcome, EndedAt = now, Error = error is null ? null : JobOutcome.FirstLine(error) });
        return ended with { State = outcome == AttemptOutcome.Done ? JobState.Done : JobState.Failed, EndedAt = now, Error = error };
    }

    public JobStatus WithLastAttempt(Func<JobAttempt, JobAttempt> change)
    {
        var history = History;
        return this with { Attempts = [.. history.Take(history.Count - 1), change(history[^1])] };
    }
}

/// <summary>Enums as snake_case words ("crashed"), readable in status.json, instead of numbers.</summary>
internal sealed class LowerCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.SnakeCaseLower) where T : struct, Enum;
