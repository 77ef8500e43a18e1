using System.Diagnostics;
using SelectBench.Common;
using SelectBench.Encoders.SelfSupervised;
using SelectBench.Running;

namespace SelectBench.Benchmark;

/// <summary>Settings of the encoder job: the SimCLR recipe (evaluation.ssl of the run config).</summary>
public sealed record SslEncoderJobSettings(SimClrSettings Ssl = null!) : ISettings
{
    public void Validate(string where)
    {
        if (Ssl is null) throw new SelectBenchException($"{where}: ssl settings are missing.");
        Ssl.Validate($"{where}.ssl");
    }
}

/// <summary>
/// Trains the run's fixed self-supervised encoder (SimCLR) on the world's encoder fit set (the unlabeled pool): the "fixed
/// self-supervised representation" of the SSL kNN metric (docs/metrics.md), also used by label and image quality.
/// </summary>
[Registered(KindName, Description = "Trains the run's fixed self-supervised encoder (SimCLR) on the world's encoder fit set", Settings = typeof(SslEncoderJobSettings))]
public sealed class SslEncoderJobKind(SslEncoderJobSettings jobSettings) : IJobKind
{
    public const string KindName = "ssl-encoder";

    public void Run(JobContext context)
    {
        var settings = jobSettings.Ssl;
        using var world = BenchmarkInputs.World(context);
        context.UseEngine();
        var clock = Stopwatch.StartNew();
        using var encoder = SelfSupervisedEncoder.Train(world.EncoderFitSet, settings,
            (epoch, loss) => context.Log.WriteLine($"epoch {epoch}: NT-Xent loss {loss:F4}"));
        encoder.Save(Path.Combine(context.OutputDir, BenchmarkInputs.EncoderFolder));
        context.WriteResult(new { encoder.Name, encoder.Dimension, TrainImages = world.EncoderFitSet.Count, Seconds = clock.Elapsed.TotalSeconds, settings });
    }
}
