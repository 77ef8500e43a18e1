using SelectBench.Running;

namespace SelectBench.Tests.Running;

/// <summary>
/// Runs a two-level graph of selftest-sum jobs through real sbatch: needs a Slurm whose config
/// SLURM_CONF names (scripts/slurm/start-local-slurm.sh starts one for localhost) and the run folder on a
/// filesystem the node shares (here: the same machine). Tasks run `./selectbench job` from this repository.
/// </summary>
public class SlurmExecutorTests
{
    [SkippableFact]
    public void RunsATwoLevelGraphThroughSbatchAndReportsFailures()
    {
        Skip.If(!OnPath("sbatch"), "sbatch is not on PATH (apt-get install -y slurm-wlm munge; see docs/running.md).");
        Skip.If(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SLURM_CONF")),
            "SLURM_CONF is not set: start a local Slurm with `export SLURM_CONF=$(scripts/slurm/start-local-slurm.sh)` (as root).");

        using var f = new RunFixture();
        List<JobSpec> specs =
        [
            RunFixture.Sum("lvl0/a", 1), RunFixture.Sum("lvl0/b", 2), RunFixture.Sum("lvl0/broken", 0, failWith: "broken on purpose"),
            RunFixture.Sum("lvl1/c", 3, ["lvl0/a", "lvl0/b"]), RunFixture.Sum("lvl1/after-broken", 1, ["lvl0/broken"]),
        ];
        var messages = new List<string>();
        var executor = new SlurmExecutor(new SlurmOptions(CpusPerTask: 1, TimeLimit: "00:10:00", PollSeconds: 0.5),
            m => { lock (messages) messages.Add(m); });
        var summary = executor.Run(f.Run, RunFixture.Plan(specs), ForceSelector.None, CancellationToken.None);

        Assert.Equal(["lvl0/a", "lvl0/b", "lvl1/c"], summary.OfKind(JobOutcomeKind.Ran).Select(o => o.Id));
        Assert.Equal(6, f.Result("lvl1/c").Sum); // 3 + 1 + 2
        Assert.Equal(3, f.Result("lvl1/c").DependencySum);
        var failed = summary["lvl0/broken"];
        Assert.Equal(JobOutcomeKind.Failed, failed.Kind);
        Assert.Matches(@"^InvalidOperationException: broken on purpose \[Slurm task \d+_2, Slurm log .*level-0-\d+_2\.out\]$", failed.Error);
        Assert.Equal(f.Run.LogPath("lvl0/broken"), failed.LogPath);
        Assert.Equal(JobOutcomeKind.Blocked, summary["lvl1/after-broken"].Kind);
        Assert.Matches(@"^\d+_\d+$", f.Status("lvl1/c").SlurmJobId);
        Assert.Equal(["lvl0/a", "lvl0/b", "lvl0/broken"], File.ReadAllLines(Path.Combine(f.Run.SlurmRoot, "level-0.jobs")));
        Assert.Equal(["lvl1/c"], File.ReadAllLines(Path.Combine(f.Run.SlurmRoot, "level-1.jobs")));
        Assert.Contains(messages, m => m.StartsWith("level 1: submitted 1 job(s) as Slurm array ", StringComparison.Ordinal));

        // A second run submits nothing for the finished jobs: only the failed one (still failing) is retried.
        var again = executor.Run(f.Run, RunFixture.Plan(specs), ForceSelector.None, CancellationToken.None);
        Assert.Equal(3, again.Count(JobOutcomeKind.Skipped));
        Assert.Equal(JobOutcomeKind.Failed, again["lvl0/broken"].Kind);
        Assert.Equal(2, f.Status("lvl0/broken").Attempt);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
