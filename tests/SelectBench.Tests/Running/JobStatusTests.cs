using SelectBench.Running;

namespace SelectBench.Tests.Running;

public class JobStatusTests
{
    [Fact]
    public void AStatusFileWrittenBeforeAttemptsWereRecordedStillLoadsAndKeepsItsAttempt()
    {
        using var f = new RunFixture();
        List<JobSpec> specs = [RunFixture.Sum("old", 1)];
        var plan = RunFixture.Plan(specs);
        f.Run.SavePlan(plan);
        Directory.CreateDirectory(f.Run.JobFolder("old"));
        // The shape of status.json before attempts were recorded: the last attempt only, state as a number.
        File.WriteAllText(Path.Combine(f.Run.JobFolder("old"), RunFolder.StatusFile), $$"""
            {
              "state": 3,
              "key": "{{plan["old"].Key}}",
              "attempt": 1,
              "host": "elsewhere",
              "pid": 12345,
              "started_at": "2025-01-02T03:04:05+00:00",
              "ended_at": "2025-01-02T03:04:06+00:00",
              "error": "InvalidOperationException: it broke",
              "log_path": "/tmp/x/job.log",
              "threads": 1,
              "duration": "00:00:01"
            }
            """);

        var before = RunStatusReport.Read(f.Run).Single();
        Assert.Equal(("failed", "InvalidOperationException: it broke"), (before.State, before.Error));
        Assert.Equal((1, AttemptOutcome.Failed), (before.Attempts.Single().Number, before.Attempts.Single().Outcome));
        Assert.Equal("failed", before.StateWithAttempts);

        Assert.True(f.Execute(specs).Succeeded);
        var status = f.Status("old");
        Assert.Equal(2, status.Attempt);
        Assert.Equal([(1, AttemptOutcome.Failed), (2, AttemptOutcome.Done)], status.History.Select(a => (a.Number, a.Outcome)));
        Assert.Equal("done (2 attempts: 1 failed)", RunStatusReport.Read(f.Run).Single().StateWithAttempts);
    }

    [Fact]
    public void AnAttemptLeftRunningIsInterruptedAndANewKeyStartsANewList()
    {
        var job = RunFixture.Plan([RunFixture.Sum("j", 1)])["j"];
        var killed = JobStatus.Begin(null, job, pid: 10, threads: 1, "job.log", slurmJobId: null); // never ended
        var next = JobStatus.Begin(killed, job, pid: 11, threads: 1, "job.log", slurmJobId: null).End(AttemptOutcome.Done, null);
        Assert.Equal([(1, AttemptOutcome.Interrupted, 10), (2, AttemptOutcome.Done, 11)], next.History.Select(a => (a.Number, a.Outcome, a.Pid)));
        Assert.Equal((JobState.Done, 2, 11, null), (next.State, next.Attempt, next.Pid, next.Error));

        var changed = RunFixture.Plan([RunFixture.Sum("j", 2)])["j"];
        var fresh = JobStatus.Begin(next, changed, pid: 12, threads: 1, "job.log", slurmJobId: null)
            .End(AttemptOutcome.Failed, "job 'j': bad\nsecond line");
        Assert.Equal([(3, AttemptOutcome.Failed, "job 'j': bad")], fresh.History.Select(a => (a.Number, a.Outcome, a.Error)));
        Assert.Equal((JobState.Failed, "job 'j': bad\nsecond line"), (fresh.State, fresh.Error)); // the whole error stays at the top
    }
}
