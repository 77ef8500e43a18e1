using SelectBench.Common;

namespace SelectBench.Running;

/// <summary>
/// Keeps two `selectbench run` processes out of one run folder: both would start the same unfinished jobs and
/// publish over each other. The lock is an open file with no sharing (an advisory lock on Linux), so the
/// operating system releases it when the holder dies, even by SIGKILL, and a rerun is never blocked by a stale lock.
/// `selectbench job` (Slurm tasks) does not take it: those run one distinct job each, by design.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = ".run.lock";
    private readonly FileStream _file;

    private RunLock(FileStream file) => _file = file;

    public static RunLock Acquire(RunFolder run)
    {
        var path = Path.Combine(run.Root, FileName);
        FileStream? file = null;
        try
        {
            Directory.CreateDirectory(run.Root);
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            var text = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId} {Environment.MachineName} {DateTimeOffset.UtcNow:O}\n");
            file.Write(text);
            file.Flush();
            return new RunLock(file);
        }
        catch (Exception e) when (IoErrors.IsIoError(e))
        {
            file?.Dispose(); // taken but not written (a full disk): release it now, not when the finalizer runs
            if (e is IOException io && IsHeldByAnother(io))
                throw new SelectBenchException(
                    $"{run.Root} is in use by another `selectbench run` (it holds {path}). Wait for it to finish, stop it, or give another --out.");
            // A read-only folder or a full disk is not another run: say that the lock cannot be written (docs/running.md).
            throw new SelectBenchException(IoErrors.Describe(e, $"Cannot write the run lock {path}"), e);
        }
    }

    /// <summary>Whether opening the lock failed because another open file holds it (flock's EWOULDBLOCK; a sharing violation on Windows).</summary>
    internal static bool IsHeldByAnother(IOException e) =>
        e.HResult is IoErrors.WouldBlock or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    public void Dispose() => _file.Dispose();
}
