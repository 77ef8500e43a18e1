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
        Directory.CreateDirectory(run.Root);
        var path = Path.Combine(run.Root, FileName);
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            var text = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId} {Environment.MachineName} {DateTimeOffset.UtcNow:O}\n");
            file.Write(text);
            file.Flush();
            return new RunLock(file);
        }
        catch (IOException)
        {
            throw new SelectBenchException(
                $"{run.Root} is in use by another `selectbench run` (it holds {path}). Wait for it to finish, stop it, or give another --out.");
        }
    }

    public void Dispose() => _file.Dispose();
}
