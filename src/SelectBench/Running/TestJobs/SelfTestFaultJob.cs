using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using SelectBench.Common;

namespace SelectBench.Running.TestJobs;

/// <param name="Fault">What goes wrong: "segfault" (a native read through a bad pointer: SIGSEGV, like a libtorch
/// use-after-free), "abort" (Environment.FailFast: SIGABRT), "exception" (an ExternalException, what libtorch throws),
/// "user-error" (a SelectBenchException) or "hang" (sleeps, deaf to cancellation).</param>
/// <param name="Times">The first this-many attempts fault; later ones pass (a large number: every attempt faults).</param>
/// <param name="Value">The job's sum when it passes, so selftest-sum jobs can depend on it.</param>
public sealed record SelfTestFaultSettings(string Fault = "segfault", int Times = 1, double Value = 0) : ISettings
{
    public void Validate(string where)
    {
        if (!SelfTestFaultJob.Faults.Contains(Fault))
            throw new SelectBenchException($"{where}: fault '{Fault}' is not known; use one of {string.Join(", ", SelfTestFaultJob.Faults)}.");
        if (Times < 0) throw new SelectBenchException($"{where}.times: {Times} is not allowed; give 0 or more.");
        if (!double.IsFinite(Value)) throw new SelectBenchException($"{where}.value: {Value} is not allowed; give a finite number.");
    }
}

/// <summary>
/// The self-test job kind "selftest-fault": fails the way real jobs fail, on its first <c>times</c> attempts,
/// then passes and writes a <see cref="SelfTestSumResult"/>. It counts its attempts in a file in its WorkDir,
/// which survives a crash (and belongs to its key), so "fault once" holds across processes. The tests use it
/// to prove isolation and retry: a crash that ends the job's process, but not the run.
/// </summary>
[Registered(KindName, Description = "Self-test: fails the way real jobs fail (segfault, abort, exception, user-error, hang) on its first attempts", Settings = typeof(SelfTestFaultSettings))]
public sealed partial class SelfTestFaultJob(SelfTestFaultSettings settings) : IJobKind
{
    public const string KindName = "selftest-fault";
    public static readonly string[] Faults = ["segfault", "abort", "exception", "user-error", "hang"];

    public void Run(JobContext context)
    {
        var counter = Path.Combine(context.WorkDir, "attempts-seen.txt");
        var attempt = (File.Exists(counter) ? int.Parse(File.ReadAllText(counter), CultureInfo.InvariantCulture) : 0) + 1;
        AtomicFile.WriteAllText(counter, attempt.ToString(CultureInfo.InvariantCulture));
        context.Log.WriteLine($"attempt {attempt} of this key; the first {settings.Times} fault with {settings.Fault}");

        if (attempt <= settings.Times) Fault(context, settings.Fault);
        context.WriteResult(new SelfTestSumResult(settings.Value, settings.Value, 0, 1));
    }

    private static void Fault(JobContext context, string fault)
    {
        switch (fault)
        {
            case "exception":
                throw new ExternalException($"job '{context.Job.Id}': a native error on purpose");
            case "user-error":
                throw new SelectBenchException($"job '{context.Job.Id}': bad input on purpose; fix the input and rerun.");
        }
        // The rest end or stall the whole process: only in a `selectbench job` process, never in a test host.
        if (Assembly.GetEntryAssembly()?.GetName().Name != "SelectBench.Cli")
            throw new SelectBenchException(
                $"job '{context.Job.Id}': fault '{fault}' would end or stall this process ({Assembly.GetEntryAssembly()?.GetName().Name}); run it in a job process (executor local).");
        switch (fault)
        {
            case "abort":
                Environment.FailFast($"job '{context.Job.Id}': aborting on purpose");
                break;
            case "hang":
                Thread.Sleep(Timeout.Infinite);
                break;
            case "segfault":
                // A read through a dangling pointer inside native code, like a use-after-free in libtorch: the runtime
                // cannot turn a fault outside managed code into an exception, so the process dies from SIGSEGV.
                StringLength(1);
                break;
        }
    }

    [LibraryImport("libc", EntryPoint = "strlen")]
    private static partial nuint StringLength(nint text);
}
