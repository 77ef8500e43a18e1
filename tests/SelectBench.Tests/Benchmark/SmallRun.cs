using SelectBench.Benchmark;
using SelectBench.Data;
using SelectBench.Running;
using SelectBench.Tests.Data;
using SelectBench.Tests.Training;

namespace SelectBench.Tests.Benchmark;

/// <summary>
/// A small in-process benchmark run over saved block images (<see cref="TinyData.Blocks"/>), for tests that need a
/// whole run but not a world: sources are saved under <see cref="Source"/>, the plan runs one job at a time with
/// one thread, and the folder is deleted afterwards.
/// </summary>
internal sealed class SmallRun : IDisposable
{
    private readonly TempFolder _temp = new();

    public string Root => _temp.Path;

    /// <summary>The path of a saved source set, for the config's data section.</summary>
    public string Source(string set) => Path.Combine(Root, "sources", set);

    /// <summary>Saves <paramref name="count"/> 16x16 grey block images as a source set with ids "{set}-{i}".</summary>
    public void SaveBlocks(string set, int count, int seed)
    {
        var blocks = TinyData.Blocks(count, seed);
        ImageSetStore.Save(new ImageSet(blocks.Pixels, blocks.Labels, blocks.LabelSet, 1, 16, 16,
            Enumerable.Range(0, count).Select(i => $"{set}-{i}").ToArray()), Source(set));
    }

    /// <summary>
    /// Saves the sources of a small data-source world (a test set and the sets E and pool, seeds 1-3) and returns
    /// the run config's <c>data:</c> section that names them.
    /// </summary>
    public string SaveDataSources(int test, int expert, int pool)
    {
        SaveBlocks("test", test, seed: 1);
        SaveBlocks("E", expert, seed: 2);
        SaveBlocks("pool", pool, seed: 3);
        return $"data:\n  test: {Source("test")}\n  sets: {{ E: {Source("E")}, pool: {Source("pool")} }}\n  encoder_fit: pool\n  channels: 1";
    }

    /// <summary>Runs the plan to the end and asserts that every job succeeded.</summary>
    public RunFolder Execute(JobPlan plan)
    {
        var run = new RunFolder(Path.Combine(Root, "run"));
        var summary = new LocalExecutor(new ThreadLauncher(), new LocalExecutorOptions(1, 1))
            .Run(run, plan, ForceSelector.None, CancellationToken.None);
        Assert.True(summary.Succeeded, summary.Describe());
        return run;
    }

    public void Dispose() => _temp.Dispose();
}
