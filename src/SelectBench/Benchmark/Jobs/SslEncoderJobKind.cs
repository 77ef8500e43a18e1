using System.Diagnostics;
using System.Text.Json;
using SelectBench.Common;
using SelectBench.Encoders.SelfSupervised;
using SelectBench.Running;

namespace SelectBench.Benchmark;

/// <summary>
/// Trains the run's fixed self-supervised encoder (SimCLR) on the world's encoder fit set (the unlabeled pool): the "fixed
/// self-supervised representation" of the SSL kNN metric (DESIGN section 5), also used by label and image quality.
/// </summary>
public sealed class SslEncoderJobKind : IJobKind
{
    public const string KindName = "ssl-encoder";
    public string Name => KindName;

    public void Run(JobContext context)
    {
        var settings = context.Job.Settings["ssl"].Deserialize<SimClrSettings>(Json.Options)
                       ?? throw new SelectBenchException($"job '{context.Job.Id}': ssl settings are missing.");
        using var world = BenchmarkInputs.World(context);
        context.UseEngine();
        var clock = Stopwatch.StartNew();
        using var encoder = SelfSupervisedEncoder.Train(world.EncoderFitSet, settings,
            (epoch, loss) => context.Log.WriteLine($"epoch {epoch}: NT-Xent loss {loss:F4}"));
        encoder.Save(Path.Combine(context.OutputDir, BenchmarkInputs.EncoderFolder));
        context.WriteResult(new { encoder.Name, encoder.Dimension, TrainImages = world.EncoderFitSet.Count, Seconds = clock.Elapsed.TotalSeconds, settings });
    }
}
