using SelectBench.Common;
using SelectBench.Running;
using SelectBench.Tests.Data;

namespace SelectBench.Tests.Cli;

/// <summary>
/// File-system errors are exit 2 with the path and the cause, and a run releases its lock (issue 12, item 10).
/// The tests run as root, for whom chmod 0555 stops nothing, so they use what fails for root too: a file name longer
/// than the file system allows (ENAMETOOLONG), a folder where a file must go (EISDIR), and a symbolic-link loop (ELOOP);
/// the causes named for ENOSPC, EROFS and EACCES are checked on exceptions that carry those errnos.
/// </summary>
public class FileSystemErrorTests
{
    private static readonly string TooLong = new('x', 300);

    [Fact]
    public void DataInfoGridThatCannotBeWrittenIsExitTwoWithThePath()
    {
        using var tmp = new TempFolder();
        var root = tmp.File("tree");
        Directory.CreateDirectory(Path.Combine(root, "red"));
        File.WriteAllBytes(Path.Combine(root, "red", "1.png"), Fixtures.Png(8, 8, 255, 0, 0));
        var grid = Path.Combine(tmp.Path, TooLong + ".png");
        var (code, _, error) = CliHost.RunAsProgram("data", "info", root, "--grid", grid, "--no-cache");
        Assert.Equal(2, code);
        Assert.Contains(TooLong, error);
        Assert.DoesNotContain("   at ", error); // no stack trace
    }

    [Fact]
    public void ARunWhosePlanCannotBeWrittenIsExitTwoAndReleasesItsLock()
    {
        using var tmp = new TempFolder();
        var folder = tmp.File("run");
        Directory.CreateDirectory(Path.Combine(folder, "plan.json")); // a folder where the plan must go
        var (code, _, error) = CliHost.RunAsProgram("run", "--profile", "tiny", "--out", folder, "--dry-run");
        Assert.Equal(2, code);
        Assert.Contains("plan.json", error);
        // The failed run let go of its lock: the same folder is taken again, not refused as "in use".
        Directory.Delete(Path.Combine(folder, "plan.json"));
        using (RunLock.Acquire(new RunFolder(folder))) { }
        (code, _, error) = CliHost.RunAsProgram("run", "--profile", "tiny", "--out", folder, "--dry-run");
        Assert.True(code == 0, error);
    }

    [Fact]
    public void ALockThatCannotBeWrittenIsNotReportedAsInUse()
    {
        using var tmp = new TempFolder();
        var run = new RunFolder(tmp.File("run"));
        Directory.CreateDirectory(run.Root);
        File.CreateSymbolicLink(Path.Combine(run.Root, RunLock.FileName), RunLock.FileName); // a loop: ELOOP
        var e = Assert.Throws<SelectBenchException>(() => RunLock.Acquire(run));
        Assert.Contains("Cannot write the run lock", e.Message);
        Assert.DoesNotContain("in use", e.Message);
    }

    [Fact]
    public void AHeldLockIsStillReportedAsInUse()
    {
        using var tmp = new TempFolder();
        var run = new RunFolder(tmp.File("run"));
        using var held = RunLock.Acquire(run);
        var e = Assert.Throws<SelectBenchException>(() => RunLock.Acquire(run));
        Assert.Contains("in use by another", e.Message);
        Assert.False(RunLock.IsHeldByAnother(new IOException("Read-only file system", IoErrors.ReadOnly)));
        Assert.False(RunLock.IsHeldByAnother(new IOException("No space left on device", IoErrors.NoSpace)));
    }

    [Theory]
    [InlineData(IoErrors.NoSpace, "no space left on device")]
    [InlineData(IoErrors.ReadOnly, "read-only file system")]
    [InlineData(IoErrors.Denied, "permission denied")]
    public void TheCauseIsNamedFromTheErrno(int errno, string cause)
    {
        var io = new IOException($"errno {errno} : '/runs/x/plan.json'", errno);
        Assert.Contains(cause, IoErrors.Describe(io));
        Assert.Contains("/runs/x/plan.json", SelectBench.Cli.CommandRegistry.UserMessage(io));
        Assert.Contains(cause, SelectBench.Cli.CommandRegistry.UserMessage(io));
        // Access errors carry the errno in their inner exception.
        var denied = new UnauthorizedAccessException("Access to the path '/runs/x' is denied.", io);
        Assert.Contains(cause, IoErrors.Describe(denied));
    }
}
