using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Running;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Benchmark;

/// <summary>Where a benchmark job finds what earlier jobs made (the folder layout inside their outputs).</summary>
public static class BenchmarkInputs
{
    public const string WorldFolder = "world";
    public const string ShiftFolder = "shift";
    public const string GridFile = "grid.png";
    public const string ModelFolder = "model";
    public const string EncoderFolder = "encoder";
    public const string CorruptionCacheFolder = "corrupted";

    /// <summary>The run's world: FashionMNIST++ or a data-source world, whichever the world job built.</summary>
    public static IBenchmarkWorld World(JobContext context) =>
        OpenWorld(Path.Combine(context.DependencyFolder(BenchmarkPlan.WorldJob), WorldFolder));

    /// <summary>A built world folder of either kind.</summary>
    public static IBenchmarkWorld OpenWorld(string folder) =>
        SourceWorld.Exists(folder) ? SourceWorld.Load(folder) : new FashionMnistPlusBenchmarkWorld(FashionMnistPlusWorld.Load(folder));

    public static Shift Shift(JobContext context, string name) =>
        ShiftStore.Load(Path.Combine(context.DependencyFolder(BenchmarkPlan.CurateJob(name)), ShiftFolder));

    public static string Checkpoint(JobContext context, string trainJob)
    {
        var path = Path.Combine(context.DependencyFolder(trainJob), ModelFolder, Training.Trainer.CheckpointFile);
        return File.Exists(path) ? path
            : throw new SelectBenchException($"job '{trainJob}' is marked done but its checkpoint {path} is missing; rerun with --force {trainJob}.");
    }

    /// <summary>Moves a finished folder from the job's work folder into its output (one rename on one file system).</summary>
    public static void Publish(string from, string to)
    {
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        Directory.Move(from, to);
    }

    /// <summary>Moves every entry of a finished work folder into the output folder.</summary>
    public static void PublishContents(string from, string to)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(from))
        {
            var target = Path.Combine(to, Path.GetFileName(entry));
            if (Directory.Exists(entry)) Directory.Move(entry, target);
            else File.Move(entry, target);
        }
    }
}
