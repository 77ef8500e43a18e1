using System.Text;

namespace SelectBench.Running;

/// <summary>What an executor did with every job of the plan.</summary>
public sealed class RunSummary(IReadOnlyList<JobOutcome> outcomes)
{
    public IReadOnlyList<JobOutcome> Outcomes { get; } = outcomes;

    public IEnumerable<JobOutcome> OfKind(JobOutcomeKind kind) => Outcomes.Where(o => o.Kind == kind);
    public int Count(JobOutcomeKind kind) => Outcomes.Count(o => o.Kind == kind);

    public bool Succeeded => Outcomes.All(o => o.Kind is JobOutcomeKind.Ran or JobOutcomeKind.Skipped);

    public JobOutcome this[string id] => Outcomes.Single(o => o.Id == id);

    /// <summary>The jobs that were retried after a crash, whatever their second attempt did.</summary>
    public IEnumerable<JobOutcome> Retried => Outcomes.Where(o => o.RetriedAfter is not null);

    /// <summary>One line of counts, then one line per retried, failed or blocked job.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append($"{Count(JobOutcomeKind.Ran)} ran, {Count(JobOutcomeKind.Skipped)} already done, ")
            .Append($"{Count(JobOutcomeKind.Failed)} failed, {Count(JobOutcomeKind.Blocked)} blocked, ")
            .Append($"{Count(JobOutcomeKind.Cancelled)} cancelled");
        if (Retried.Any()) text.Append($"; {Retried.Count()} retried after a crash");
        foreach (var o in Retried)
            text.Append($"\n  RETRIED {o.Id}: the first attempt crashed ({o.RetriedAfter}); the second {SecondAttempt(o.Kind)} (log: {o.LogPath})");
        foreach (var o in Outcomes.Where(o => o.Kind == JobOutcomeKind.Failed))
            text.Append($"\n  FAILED  {o.Id}: {JobOutcome.FirstLine(o.Error)} (log: {o.LogPath})");
        foreach (var o in Outcomes.Where(o => o.Kind == JobOutcomeKind.Blocked))
            text.Append($"\n  BLOCKED {o.Id}: {o.Error}");
        return text.ToString();
    }

    private static string SecondAttempt(JobOutcomeKind kind) => kind switch
    {
        JobOutcomeKind.Ran => "passed",
        JobOutcomeKind.Cancelled => "was cancelled",
        _ => "failed too",
    };
}

/// <summary>Runs a plan against a run folder: on this machine (jobs as child processes or threads), or on a Slurm cluster.</summary>
public interface IJobExecutor
{
    RunSummary Run(RunFolder run, JobPlan plan, ForceSelector force, CancellationToken cancellation);
}
