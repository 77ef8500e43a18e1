using System.Text.Json.Nodes;
using SelectBench.Running;
using SelectBench.Running.TestJobs;
using SelectBench.Common;

namespace SelectBench.Tests.Running;

/// <summary>A temporary run folder and a small plan of selftest-sum jobs.</summary>
internal sealed class RunFixture : IDisposable
{
    public const string CodeVersion = "test-1";

    public RunFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), $"selectbench-run-{Guid.NewGuid():N}");
        Run = new RunFolder(Root);
    }

    public string Root { get; }
    public RunFolder Run { get; }

    public static JobSpec Sum(string id, double value, string[]? deps = null, int steps = 1, int delayMs = 0,
        string? failWith = null, string stage = "sum")
    {
        var settings = new JsonObject { ["value"] = value, ["steps"] = steps, ["step_delay_ms"] = delayMs };
        if (failWith is not null) settings["fail_with"] = failWith;
        return new JobSpec(id, stage, "selftest-sum", settings, deps ?? []);
    }

    /// <summary>
    /// a=1, b=2 -> c = 3 + a + b = 6 -> d = 4 + c = 10; e=5 stands alone.
    /// </summary>
    public static List<JobSpec> Diamond(double cValue = 3, string? cFails = null) =>
    [
        Sum("sum/a", 1, stage: "leaves"),
        Sum("sum/b", 2, stage: "leaves"),
        Sum("sum/c", cValue, ["sum/a", "sum/b"], failWith: cFails),
        Sum("sum/d", 4, ["sum/c"], stage: "top"),
        Sum("other/e", 5, stage: "leaves"),
    ];

    public static JobPlan Plan(IEnumerable<JobSpec> specs) => JobPlan.Build(specs, CodeVersion);

    /// <param name="launcher">How each job runs; null: as a thread of the test process (fast).</param>
    public RunSummary Execute(IEnumerable<JobSpec> specs, int parallel = 2, int totalThreads = 2, ForceSelector? force = null,
        CancellationToken cancellation = default, IJobLauncher? launcher = null, Action<string>? progress = null) =>
        new LocalExecutor(launcher ?? new ThreadLauncher(), new LocalExecutorOptions(parallel, totalThreads), progress)
            .Run(Run, Plan(specs), force ?? ForceSelector.None, cancellation);

    public SelfTestSumResult Result(string id) => SelectBench.Common.Json.Read<SelfTestSumResult>(Run.ResultPath(id));

    public JobStatus Status(string id) => Run.ReadStatus(id) ?? throw new InvalidOperationException($"no status for {id}");

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A job of a failed test may still be writing; leaving a temp folder must not hide the failure.
        }
    }
}
