using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Evaluation;
using SelectBench.Evaluation.Classifiers;
using SelectBench.Evaluation.Metrics;
using SelectBench.Evaluation.Suite;
using Spectre.Console.Cli;
using SelectBench.Statistics;

namespace SelectBench.Cli.Commands;

[CliCommand("evaluate", "Run the utility-metric suite on a model (and optionally a shift); writes metrics.json, per-metric results and raw exports",
    Examples = ["evaluate --model runs/default/checkpoint.ckpt --suite base,corruptions --data fashion-mnist:test --out runs/default/suite",
                "evaluate --model m.ckpt --suite natural --natural hard=world/eval/hard --natural sketch=world/eval/rendition --out eval"])]
public sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    public class Settings : CommandSettings
    {
        [CommandOption("--model <FILE>")]
        [Description("A SelectBench checkpoint (.ckpt) or an ONNX classifier (.onnx); needed by model metrics")]
        public string? Model { get; init; }

        [CommandOption("--suite <NAMES>")]
        [Description("Comma-separated metrics: base, natural, corruptions, transfer, knn, analytics, label-quality, image-quality")]
        [DefaultValue("base,corruptions")]
        public string Suite { get; init; } = "base,corruptions";

        [CommandOption("--data <SOURCE>")]
        [Description("The base eval set (a name such as fashion-mnist:test, or a path)")]
        [DefaultValue("fashion-mnist:test")]
        public string Data { get; init; } = "fashion-mnist:test";

        [CommandOption("--natural <NAME=SOURCE>")]
        [Description("A natural-shift eval set; append @c1,c2 to restrict it to class indices (repeatable)")]
        public string[] Natural { get; init; } = [];

        [CommandOption("--transfer <NAME=TRAIN,TEST>")]
        [Description("A transfer task given by its train and test sources (repeatable)")]
        public string[] Transfer { get; init; } = [];

        [CommandOption("--shift <SOURCE>")]
        [Description("A shift (curated image set) for the shift metrics")]
        public string? Shift { get; init; }

        [CommandOption("--reference <SOURCE>")]
        [Description("Reference images for image quality (the expert baseline)")]
        public string? Reference { get; init; }

        [CommandOption("--encoder <SPEC>")]
        [Description("Fixed encoder for knn, label and image quality: " + EncoderSpec.Help)]
        [DefaultValue("pca")]
        public string Encoder { get; init; } = "pca";

        [CommandOption("--corruption-images <N>")]
        [Description("Class-balanced subset of the base set to corrupt (0 = all)")]
        [DefaultValue(0)]
        public int CorruptionImages { get; init; }

        [CommandOption("--corruption-reference <FILE>")]
        [Description("corruption_errors.json of a reference model, for CE and mCE")]
        public string? CorruptionReference { get; init; }

        [CommandOption("--transfer-steps <N>")]
        [DefaultValue(1000)]
        public int TransferSteps { get; init; } = 1000;

        [CommandOption("--transfer-size <N>")]
        [Description("Fine-tuning input side (paper: 64; 0 = the model's own)")]
        [DefaultValue(64)]
        public int TransferSize { get; init; } = 64;

        [CommandOption("--bootstrap <N>")]
        [Description("Bootstrap resamples for intervals")]
        [DefaultValue(1000)]
        public int Bootstrap { get; init; } = 1000;

        [CommandOption("--device <DEVICE>")]
        [DefaultValue("cpu")]
        public string Device { get; init; } = "cpu";

        [CommandOption("--onnx-imagenet")]
        [Description("ONNX models: torchvision ImageNet preprocessing (3 x 224 x 224, ImageNet mean/std)")]
        public bool OnnxImageNet { get; init; }

        [CommandOption("--force")]
        [Description("Recompute metrics whose results already exist")]
        public bool Force { get; init; }

        [CommandOption("--out <DIR>")]
        public string Out { get; init; } = "";

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Out) ? Spectre.Console.ValidationResult.Error("--out is required.") : base.Validate();
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var metrics = s.Suite.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // The options are the evaluation keys the metrics read, as in a run config's evaluation section; unknown names fail before any work.
        var section = new ISettings[]
        {
            new BaseAccuracySettings(s.Bootstrap), new CorruptionSettings(s.CorruptionImages),
            new TransferMetricSettings(new TransferSettings(Steps: s.TransferSteps, InputSize: s.TransferSize)),
        }.Aggregate(new JsonObject(), EvalMetrics.With);
        var instances = metrics.Select(m => EvalMetrics.Create(m, section, "evaluate")).ToList();
        var options = new DataLoadOptions();
        var baseSet = DataSources.Load(s.Data, options).Images;
        var labels = baseSet.LabelSet;
        using var classifier = s.Model is null ? null
            : ClassifierFiles.Open(s.Model, labels, s.Device, s.OnnxImageNet ? OnnxClassifierOptions.ImageNet : null);
        var encoder = EvalMetrics.AnyReads(metrics, MetricInputs.Encoder) ? EncoderSpec.Resolve(s.Encoder, () => baseSet) : null;
        try
        {
            var inputs = new EvalInputs
            {
                LabelSet = labels,
                Classifier = classifier,
                CheckpointPath = s.Model is { } m && !m.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? m : null,
                BaseSet = baseSet,
                NaturalSets = s.Natural.Select(n => ParseNatural(n, options)).ToArray(),
                TransferTasks = s.Transfer.Select(t => ParseTransfer(t, options)).ToArray(),
                Shift = s.Shift is null ? null : DataSources.Load(s.Shift, options).Images,
                ReferenceSet = s.Reference is null ? null : DataSources.Load(s.Reference, options).Images,
                LeakageSets = [new NaturalEvalSet("base", baseSet)],
                Encoder = encoder,
                EmbeddingCacheFolder = Path.Combine(s.Out, "embeddings"),
                CorruptedSetCacheFolder = Path.Combine(s.Out, "corrupted"),
                CorruptionReferencePath = s.CorruptionReference,
            };
            var result = EvalSuite.Run(instances, inputs, s.Out, s.Force, cancellationToken);
            PrintValues(result);
            Console.WriteLine($"wrote:  {Path.Combine(s.Out, "metrics.json")} and one folder per metric");
        }
        finally
        {
            encoder?.Dispose();
        }
        return 0;
    }

    internal static void PrintValues(SuiteResult result)
    {
        foreach (var (name, v) in result.Values.OrderBy(p => p.Key, StringComparer.Ordinal))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-36} {v.Estimate,10:0.####}  [{v.Low:0.####}, {v.High:0.####}]"));
        foreach (var (name, sec) in result.Seconds)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  time {name,-31} {sec,10:0.0} s"));
    }

    private static NaturalEvalSet ParseNatural(string text, DataLoadOptions options)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0) throw new SelectBenchException($"--natural '{text}': expected NAME=SOURCE or NAME=SOURCE@c1,c2.");
        var name = text[..eq];
        var source = text[(eq + 1)..];
        IReadOnlyList<int>? subset = null;
        int at = source.LastIndexOf('@');
        if (at > 0)
        {
            subset = source[(at + 1)..].Split(',').Select(c => int.TryParse(c, out int v) ? v
                : throw new SelectBenchException($"--natural '{text}': class subset entry '{c}' is not a class index.")).ToArray();
            source = source[..at];
        }
        return new NaturalEvalSet(name, DataSources.Load(source, options).Images, subset);
    }

    private static TransferTask ParseTransfer(string text, DataLoadOptions options)
    {
        int eq = text.IndexOf('=');
        var parts = eq > 0 ? text[(eq + 1)..].Split(',') : [];
        if (eq <= 0 || parts.Length != 2) throw new SelectBenchException($"--transfer '{text}': expected NAME=TRAIN_SOURCE,TEST_SOURCE.");
        return new TransferTask(text[..eq], DataSources.Load(parts[0], options).Images, DataSources.Load(parts[1], options).Images);
    }
}
