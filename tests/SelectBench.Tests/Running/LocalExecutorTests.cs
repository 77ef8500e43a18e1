using SelectBench.Running;

namespace SelectBench.Tests.Running;

public class LocalExecutorTests
{
    [Fact]
    public void RunsTheGraphInDependencyOrderAndPassesResultsDownstream()
    {
        using var f = new RunFixture();
        var summary = f.Execute(RunFixture.Diamond());

        Assert.True(summary.Succeeded, summary.Describe());
        Assert.Equal(5, summary.Count(JobOutcomeKind.Ran));
        // a=1, b=2, c=3+1+2=6, d=4+6=10, e=5 (sums by hand)
        Assert.Equal(1, f.Result("sum/a").Sum);
        Assert.Equal(2, f.Result("sum/b").Sum);
        Assert.Equal(6, f.Result("sum/c").Sum);
        Assert.Equal(10, f.Result("sum/d").Sum);
        Assert.Equal(5, f.Result("other/e").Sum);
        Assert.Equal("10", File.ReadAllText(Path.Combine(f.Run.JobFolder("sum/d"), "sum.txt")));
        foreach (var job in RunFixture.Plan(RunFixture.Diamond()).Jobs)
            foreach (var dep in job.DependsOn)
                Assert.True(f.Status(job.Id).StartedAt >= f.Status(dep).EndedAt, $"{job.Id} started before {dep} ended");
        // Nothing but the results and bookkeeping is left: no staging folder, no checkpoints.
        Assert.Equal(["done", "job.log", "result.json", "status.json", "sum.txt"],
            Directory.EnumerateFileSystemEntries(f.Run.JobFolder("sum/c")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(f.Run.PlanPath));
    }

    [Fact]
    public void RunsIndependentJobsInParallelWithAShareOfTheThreadsEach()
    {
        using var f = new RunFixture();
        List<JobSpec> specs = [RunFixture.Sum("p/1", 1, delayMs: 400), RunFixture.Sum("p/2", 2, delayMs: 400), RunFixture.Sum("p/3", 3, delayMs: 400)];
        Assert.True(f.Execute(specs, parallel: 3, totalThreads: 6).Succeeded);
        var statuses = specs.Select(s => f.Status(s.Id)).ToList();
        // All three overlap: the last to start started before the first to end ended.
        Assert.True(statuses.Max(s => s.StartedAt) < statuses.Min(s => s.EndedAt!.Value));
        Assert.All(statuses, s => Assert.Equal(2, s.Threads)); // 6 threads / 3 parallel jobs
    }

    [Fact]
    public void EveryJobThatRanIsReportedOnceAsItFinishesAndSkippedJobsAreNot()
    {
        using var f = new RunFixture();
        var specs = RunFixture.Diamond();
        var seen = new List<string>();
        var executor = new LocalExecutor(new ThreadLauncher(), new LocalExecutorOptions(2, 2),
            onFinished: o => { lock (seen) seen.Add(o.Id); });
        Assert.True(executor.Run(f.Run, RunFixture.Plan(specs), ForceSelector.None, CancellationToken.None).Succeeded);
        Assert.Equal(specs.Select(j => j.Id).Order(), seen.Order());
        seen.Clear();
        executor.Run(f.Run, RunFixture.Plan(specs), ForceSelector.None, CancellationToken.None);
        Assert.Empty(seen);
    }

    [Fact]
    public void AnExclusiveJobRunsAloneWithEveryThread()
    {
        using var f = new RunFixture();
        List<JobSpec> specs =
        [
            RunFixture.Sum("x/before", 1, delayMs: 300),
            RunFixture.Sum("x/alone", 2, delayMs: 300) with { Exclusive = true },
            RunFixture.Sum("x/after", 3, delayMs: 300),
        ];
        Assert.True(f.Execute(specs, parallel: 3, totalThreads: 6).Succeeded);
        var alone = f.Status("x/alone");
        Assert.Equal(6, alone.Threads);
        foreach (var other in new[] { f.Status("x/before"), f.Status("x/after") })
        {
            Assert.Equal(2, other.Threads);
            Assert.True(other.EndedAt <= alone.StartedAt || other.StartedAt >= alone.EndedAt, "a job overlapped the exclusive one");
        }
    }

    [Fact]
    public void ASecondRunOfTheSameFolderIsRefusedUntilTheFirstReleasesIt()
    {
        using var f = new RunFixture();
        using (RunLock.Acquire(f.Run))
        {
            var error = Assert.Throws<SelectBench.Common.SelectBenchException>(() => RunLock.Acquire(f.Run));
            Assert.Contains("in use by another `selectbench run`", error.Message);
        }
        using var again = RunLock.Acquire(f.Run);
    }

    [Fact]
    public void RunsOneJobAtATimeWhenParallelismIsOne()
    {
        using var f = new RunFixture();
        List<JobSpec> specs = [RunFixture.Sum("s/1", 1, delayMs: 100), RunFixture.Sum("s/2", 2, delayMs: 100), RunFixture.Sum("s/3", 3, delayMs: 100)];
        Assert.True(f.Execute(specs, parallel: 1, totalThreads: 2).Succeeded);
        var ordered = specs.Select(s => f.Status(s.Id)).OrderBy(s => s.StartedAt).ToList();
        for (var i = 1; i < ordered.Count; i++) Assert.True(ordered[i].StartedAt >= ordered[i - 1].EndedAt);
        Assert.All(ordered, s => Assert.Equal(2, s.Threads));
    }

    [Fact]
    public void RerunSkipsEveryFinishedJob()
    {
        using var f = new RunFixture();
        Assert.Equal(5, f.Execute(RunFixture.Diamond()).Count(JobOutcomeKind.Ran));
        var doneAt = File.GetLastWriteTimeUtc(Path.Combine(f.Run.JobFolder("sum/d"), "done"));

        var again = f.Execute(RunFixture.Diamond());
        Assert.Equal(0, again.Count(JobOutcomeKind.Ran));
        Assert.Equal(5, again.Count(JobOutcomeKind.Skipped));
        Assert.Equal(1, f.Status("sum/d").Attempt);
        Assert.Equal(doneAt, File.GetLastWriteTimeUtc(Path.Combine(f.Run.JobFolder("sum/d"), "done")));
    }

    [Fact]
    public void ChangingASettingRerunsThatJobAndItsDependantsOnly()
    {
        using var f = new RunFixture();
        f.Execute(RunFixture.Diamond());
        var summary = f.Execute(RunFixture.Diamond(cValue: 30));

        Assert.Equal(["sum/c", "sum/d"], summary.OfKind(JobOutcomeKind.Ran).Select(o => o.Id));
        Assert.Equal(["sum/a", "sum/b", "other/e"], summary.OfKind(JobOutcomeKind.Skipped).Select(o => o.Id));
        Assert.Equal(33, f.Result("sum/c").Sum); // 30 + 1 + 2
        Assert.Equal(37, f.Result("sum/d").Sum); // 4 + 33
        Assert.Equal("33", File.ReadAllText(Path.Combine(f.Run.JobFolder("sum/c"), "sum.txt")));
        Assert.Equal(2, f.Status("sum/d").Attempt);
    }

    [Fact]
    public void ForceRerunsTheSelectedStageAndEverythingDownstream()
    {
        using var f = new RunFixture();
        f.Execute(RunFixture.Diamond());
        var summary = f.Execute(RunFixture.Diamond(), force: new ForceSelector(["sum/b"]));
        Assert.Equal(["sum/b", "sum/c", "sum/d"], summary.OfKind(JobOutcomeKind.Ran).Select(o => o.Id));

        var stage = f.Execute(RunFixture.Diamond(), force: new ForceSelector(["top"]));
        Assert.Equal(["sum/d"], stage.OfKind(JobOutcomeKind.Ran).Select(o => o.Id));
        Assert.Equal(5, f.Execute(RunFixture.Diamond(), force: ForceSelector.All).Count(JobOutcomeKind.Ran));
    }

    [Fact]
    public void AFailedJobBlocksItsDependantsWhileIndependentJobsFinish()
    {
        using var f = new RunFixture();
        var summary = f.Execute(RunFixture.Diamond(cFails: "c broke on purpose"));

        Assert.False(summary.Succeeded);
        Assert.Equal(["sum/a", "sum/b", "other/e"], summary.OfKind(JobOutcomeKind.Ran).Select(o => o.Id));
        var failed = summary["sum/c"];
        Assert.Equal(JobOutcomeKind.Failed, failed.Kind);
        Assert.Equal("InvalidOperationException: c broke on purpose", failed.Error);
        Assert.Equal(f.Run.LogPath("sum/c"), failed.LogPath);
        Assert.Contains("c broke on purpose", File.ReadAllText(failed.LogPath!));
        Assert.Equal(JobOutcomeKind.Blocked, summary["sum/d"].Kind);
        Assert.Contains("'sum/c'", summary["sum/d"].Error);
        Assert.Contains($"FAILED  sum/c: InvalidOperationException: c broke on purpose (log: {failed.LogPath})", summary.Describe());
        // An unexpected exception may not strike twice, so it was retried once; it did, so the job failed.
        Assert.Equal("InvalidOperationException: c broke on purpose", failed.RetriedAfter);
        Assert.Equal([(1, AttemptOutcome.Crashed, true), (2, AttemptOutcome.Crashed, false)],
            f.Status("sum/c").History.Select(a => (a.Number, a.Outcome, a.Retried)));

        // The failure published nothing: no done marker, no result, only bookkeeping and checkpoints.
        Assert.Null(f.Run.DoneKey("sum/c"));
        Assert.False(File.Exists(f.Run.ResultPath("sum/c")));
        Assert.Equal(JobState.Failed, f.Status("sum/c").State);

        var rows = RunStatusReport.Read(f.Run).ToDictionary(r => r.Id);
        Assert.Equal("failed", rows["sum/c"].State);
        Assert.Equal("blocked", rows["sum/d"].State);
        Assert.Equal("done", rows["sum/a"].State);

        // Fixing the job reruns it and its dependant, and nothing else.
        var fixedRun = f.Execute(RunFixture.Diamond());
        Assert.Equal(["sum/c", "sum/d"], fixedRun.OfKind(JobOutcomeKind.Ran).Select(o => o.Id));
        Assert.Equal(10, f.Result("sum/d").Sum);
    }

    [Fact]
    public void ResultsAppearOnlyWhenTheJobIsComplete()
    {
        using var f = new RunFixture();
        // 8 steps of 250 ms: the job stays unfinished for 2 s, long enough to be watched on a loaded machine.
        var specs = new List<JobSpec> { RunFixture.Sum("slow", 7, steps: 8, delayMs: 250) };
        var sawStaging = false;
        string? violation = null;
        using var done = new ManualResetEventSlim();
        // The watcher is a thread of its own, not a thread-pool task: on a busy CI machine the pool can be kept
        // busy by other tests for longer than the job runs, and a starved poller would see nothing.
        var watcher = new Thread(() =>
        {
            while (!done.IsSet && violation == null)
            {
                var folder = f.Run.JobFolder("slow");
                try
                {
                    // Partial output stays in the staging folder; result.json appears only with every artefact beside it.
                    if (File.Exists(Path.Combine(folder, "progress.txt"))) violation = "partial output was published";
                    else if (File.Exists(f.Run.ResultPath("slow")))
                    {
                        if (!File.Exists(Path.Combine(folder, "sum.txt"))) violation = "result.json visible before its artefacts";
                    }
                    else if (Directory.Exists(folder))
                        sawStaging |= Directory.EnumerateFiles(folder, "progress.txt", SearchOption.AllDirectories).Any();
                }
                catch (DirectoryNotFoundException) { } // the staging folder was committed while being listed
                Thread.Sleep(5);
            }
        })
        { IsBackground = true };
        watcher.Start();
        var summary = f.Execute(specs);
        done.Set();
        watcher.Join();
        Assert.Null(violation);
        Assert.True(summary.Succeeded);
        Assert.True(sawStaging, "the job's partial output was never seen in its staging folder");
        Assert.Equal(7, f.Result("slow").Sum);
    }

    [Fact]
    public void CancellingStopsNewJobsAndARerunFinishesTheRun()
    {
        using var f = new RunFixture();
        List<JobSpec> specs = [RunFixture.Sum("x/1", 1, steps: 20, delayMs: 50), RunFixture.Sum("x/2", 2, ["x/1"])];
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var summary = f.Execute(specs, cancellation: cancel.Token);

        Assert.Equal(JobOutcomeKind.Cancelled, summary["x/1"].Kind);
        Assert.Equal(JobOutcomeKind.Cancelled, summary["x/2"].Kind);
        Assert.False(Directory.Exists(f.Run.JobFolder("x/2")));
        Assert.Null(f.Run.DoneKey("x/1"));
        Assert.Equal("cancelled before it finished", f.Status("x/1").Error);

        var rerun = f.Execute(specs);
        Assert.True(rerun.Succeeded);
        Assert.Equal(3, f.Result("x/2").Sum);
        Assert.Contains("resuming from checkpoint", File.ReadAllText(f.Run.LogPath("x/1")));
    }
}
