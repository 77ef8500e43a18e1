using System.Globalization;
using SelectBench.Common;

namespace SelectBench.Running.TestJobs;

/// <param name="Value">This job's own number.</param>
/// <param name="Steps">The sum is built in this many checkpointed steps (to exercise resume after a kill).</param>
/// <param name="StepDelayMs">Pause per step, so tests can observe parallelism or kill the job midway.</param>
/// <param name="FailWith">If set, the job throws with this message after writing partial output.</param>
public sealed record SelfTestSumSettings(double Value = 0, int Steps = 1, int StepDelayMs = 0, string? FailWith = null) : ISettings
{
    public void Validate(string where)
    {
        if (Steps < 1) throw new SelectBenchException($"{where}: steps must be at least 1, got {Steps}.");
        if (!double.IsFinite(Value)) throw new SelectBenchException($"{where}.value: {Value} is not allowed; give a finite number.");
        if (StepDelayMs < 0) throw new SelectBenchException($"{where}.step_delay_ms: {StepDelayMs} is not allowed; give 0 or more.");
    }
}

/// <summary>result.json of a selftest-sum job.</summary>
public sealed record SelfTestSumResult(double Sum, double Value, double DependencySum, int Steps);

/// <summary>
/// The self-test job kind "selftest-sum": adds its own value to the sums of its dependencies and writes
/// the total to result.json and sum.txt. It exists so the job machinery (locally and on Slurm, through
/// `selectbench job`) can be proven with real jobs: it checkpoints each step in its WorkDir and resumes
/// from there after a kill, writes partial output before finishing, and can sleep or fail on demand.
/// </summary>
[Registered(KindName, Description = "Self-test: adds its value to its dependencies' sums in checkpointed steps", Settings = typeof(SelfTestSumSettings))]
public sealed class SelfTestSumJob(SelfTestSumSettings settings) : IJobKind
{
    public const string KindName = "selftest-sum";

    public void Run(JobContext context)
    {
        var dependencySum = context.Job.DependsOn.Sum(d => context.DependencyResult<SelfTestSumResult>(d).Sum);

        // Checkpoint: the number of steps finished, in WorkDir, so a killed attempt resumes where it stopped.
        var checkpoint = Path.Combine(context.WorkDir, "steps-done.txt");
        var stepsDone = File.Exists(checkpoint) ? int.Parse(File.ReadAllText(checkpoint), CultureInfo.InvariantCulture) : 0;
        if (stepsDone > 0) context.Log.WriteLine($"resuming from checkpoint after step {stepsDone} of {settings.Steps}");

        var progress = Path.Combine(context.OutputDir, "progress.txt");
        for (var step = stepsDone + 1; step <= settings.Steps; step++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            File.AppendAllText(progress, $"step {step}\n"); // partial output: must never be published by itself
            if (settings.StepDelayMs > 0) context.Cancellation.WaitHandle.WaitOne(settings.StepDelayMs);
            context.Cancellation.ThrowIfCancellationRequested();
            AtomicFile.WriteAllText(checkpoint, step.ToString(CultureInfo.InvariantCulture));
            context.Log.WriteLine($"step {step} of {settings.Steps} done");
        }
        if (settings.FailWith is { } message) throw new InvalidOperationException(message);

        File.Delete(progress); // the published output is the same whether or not an attempt was killed
        var sum = settings.Value + dependencySum;
        AtomicFile.WriteAllText(Path.Combine(context.OutputDir, "sum.txt"), sum.ToString("R", CultureInfo.InvariantCulture));
        context.WriteResult(new SelfTestSumResult(sum, settings.Value, dependencySum, settings.Steps));
    }
}
