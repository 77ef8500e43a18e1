using SelectBench.Cli;
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
using SelectBench.Statistics;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>
/// Scores a model on a data source (top-1, top-5, balanced accuracy, per class, predictions as .npy), or with --suite runs
/// named metrics of the suite (docs/metrics.md). `eval`, its old name, is an alias.
/// </summary>
[CliCommand("evaluate", "Evaluate a checkpoint or an ONNX classifier on a data source (metrics.json, predictions as .npy), or run the metric suite with --suite",
    Aliases = ["eval"],
    Examples = ["evaluate --model runs/quick/checkpoint.ckpt --data fashion-mnist:test --out runs/quick/eval",
                "evaluate --model resnet50.onnx --data ./imagenet-val --resize 224 --onnx-imagenet --out eval/in-val",
                "evaluate --model runs/default/checkpoint.ckpt --suite base,corruptions --data fashion-mnist:test --out runs/default/suite",
                "evaluate --model m.ckpt --suite natural --natural hard=world/eval/hard --natural sketch=world/eval/rendition --out eval"])]
public sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    public sealed class Settings : DecodingSettings
    {
        [CommandOption("--model <FILE>")]
        [Description("A SelectBench checkpoint (.ckpt) or an ONNX classifier (.onnx); required without --suite and by the model metrics")]
        public string? Model { get; init; }

        [CommandOption("--data <SOURCE>")]
        [Description("The evaluation data, the suite's base set: a name (fashion-mnist:test) or a path")]
        [DefaultValue("fashion-mnist:test")]
        public string Data { get; init; } = "fashion-mnist:test";

        [CommandOption("--out <DIR>")]
        [Description("Output folder: metrics.json, and eval_*.npy (without --suite) or one folder per metric (with --suite)")]
        public string Out { get; init; } = "";

        [CommandOption("--suite <NAMES>")]
        [Description("Run these metrics of the suite instead (comma-separated): base, natural, corruptions, transfer, knn, analytics, label-quality, image-quality")]
        public string? Suite { get; init; }

        [CommandOption("--natural <NAME=SOURCE>")]
        [Description("Suite: a natural-shift eval set; append @c1,c2 to restrict it to class indices (repeatable)")]
        public string[] Natural { get; init; } = [];

        [CommandOption("--transfer <NAME=TRAIN,TEST>")]
        [Description("Suite: a transfer task given by its train and test sources (repeatable)")]
        public string[] Transfer { get; init; } = [];

        [CommandOption("--shift <SOURCE>")]
        [Description("Suite: a shift (curated image set) for the shift metrics")]
        public string? Shift { get; init; }

        [CommandOption("--reference <SOURCE>")]
        [Description("Suite: reference images for image quality (the expert baseline)")]
        public string? Reference { get; init; }

        [CommandOption("--classifier <FILE>")]
        [Description("Suite: a reference classifier (.ckpt or .onnx, e.g. one trained on the expert shift) whose softmax on the shift gives image-quality's Inception Score; the --onnx-* options apply to it too")]
        public string? Classifier { get; init; }

        [CommandOption("--encoder <SPEC>")]
        [Description("Suite: fixed encoder for knn, label and image quality: " + HelpText.Encoder)]
        [DefaultValue("pca")]
        public string Encoder { get; init; } = "pca";

        [CommandOption("--corruption-images <N>")]
        [Description("Suite: class-balanced subset of the base set to corrupt (0 = all)")]
        [DefaultValue(0)]
        public int CorruptionImages { get; init; }

        [CommandOption("--corruption-reference <FILE>")]
        [Description("Suite: corruption_errors.json of a reference model, for CE and mCE")]
        public string? CorruptionReference { get; init; }

        [CommandOption("--transfer-steps <N>")]
        [Description("Suite: fine-tuning steps per transfer task")]
        [DefaultValue(1000)]
        public int TransferSteps { get; init; } = 1000;

        [CommandOption("--transfer-size <N>")]
        [Description("Suite: fine-tuning input side (paper: 64; 0 = the model's own)")]
        [DefaultValue(64)]
        public int TransferSize { get; init; } = 64;

        [CommandOption("--bootstrap <N>")]
        [Description("Suite: bootstrap resamples for intervals")]
        [DefaultValue(1000)]
        public int Bootstrap { get; init; } = 1000;

        [CommandOption("--force")]
        [Description("Suite: recompute metrics whose results already exist")]
        public bool Force { get; init; }

        [CommandOption("--device <DEVICE>")]
        [Description("cpu or cuda (checkpoints only)")]
        [DefaultValue("cpu")]
        public string Device { get; init; } = "cpu";

        [CommandOption("--onnx-input <NAME>")]
        [Description("ONNX input to feed (default: the first)")]
        public string? OnnxInput { get; init; }

        [CommandOption("--onnx-size <SIZE>")]
        [Description("ONNX input height and width when the model leaves them open")]
        public int? OnnxSize { get; init; }

        [CommandOption("--onnx-mean <M>")]
        [Description("Comma-separated per-channel mean of [[0,1]] pixels (default 0)")]
        public string? OnnxMean { get; init; }

        [CommandOption("--onnx-std <S>")]
        [Description("Comma-separated per-channel std (default 1)")]
        public string? OnnxStd { get; init; }

        [CommandOption("--onnx-imagenet")]
        [Description("torchvision ImageNet preprocessing: 3 x 224 x 224, mean 0.485,0.456,0.406, std 0.229,0.224,0.225")]
        public bool OnnxImageNet { get; init; }

        [CommandOption("--onnx-output <KIND>")]
        [Description("auto, probabilities or logits")]
        [DefaultValue("auto")]
        public string OnnxOutput { get; init; } = "auto";




        public override Spectre.Console.ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out)) return Spectre.Console.ValidationResult.Error("--out is required.");
            if (Suite is null && string.IsNullOrWhiteSpace(Model))
                return Spectre.Console.ValidationResult.Error("--model is required: a .ckpt checkpoint or an .onnx model (or give --suite for the shift metrics).");
            if (Suite is null && (Natural.Length > 0 || Transfer.Length > 0 || Shift is not null || Reference is not null || Classifier is not null))
                return Spectre.Console.ValidationResult.Error("--natural, --transfer, --shift, --reference and --classifier feed the metric suite: name its metrics with --suite.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var options = DataOptions.From(s.OnBadInput, s.Resize, s.Grey);
        return s.Suite is { } suite ? RunSuite(s, suite, options, cancellationToken) : ScoreClassifier(s, options);
    }

    private static int ScoreClassifier(Settings s, DataLoadOptions options)
    {
        var data = DataSources.Load(s.Data, options);
        var images = data.Images;
        Console.WriteLine($"data:   {data.Description}: {images.Count:N0} images {images.Channels}x{images.Height}x{images.Width}");
        using var classifier = ClassifierFiles.Open(s.Model!, images.LabelSet, s.Device, OnnxOptions(s));
        if (ClassifierInput.Check(classifier, images, $"'{s.Data}'") is { } fitted) Console.WriteLine($"input:  {fitted}");
        var result = ClassifierEvaluation.Run(classifier, images, data.Description, s.Out,
            warning => Console.Error.WriteLine($"selectbench: warning: {warning}"));
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"done:   top-1 {result.Top1.ToString("P2", inv)}, top-5 {result.Top5.ToString("P2", inv)}, " +
                          $"balanced {(result.BalancedAccuracy ?? double.NaN).ToString("P2", inv)} ({images.Count / Math.Max(result.Seconds, 1e-9):F0} img/s)");
        Console.WriteLine($"wrote:  {Path.Combine(s.Out, ClassifierEvaluation.MetricsFile)}, eval_probabilities.npy, eval_predictions.npy, eval_labels.npy");
        return 0;
    }

    private static int RunSuite(Settings s, string suite, DataLoadOptions options, CancellationToken cancellation)
    {
        var metrics = suite.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // The options are the evaluation keys the metrics read, as in a run config's evaluation section; unknown names fail before any work.
        var section = new ISettings[]
        {
            new BaseAccuracySettings(s.Bootstrap), new CorruptionSettings(s.CorruptionImages),
            new TransferMetricSettings(new TransferSettings(Steps: s.TransferSteps, InputSize: s.TransferSize)),
        }.Aggregate(new JsonObject(), EvalMetrics.With);
        var instances = metrics.Select(m => EvalMetrics.Create(m, section, "evaluate")).ToList();
        var baseSet = DataSources.Load(s.Data, options).Images;
        var labels = baseSet.LabelSet;
        using var classifier = s.Model is null ? null : ClassifierFiles.Open(s.Model, labels, s.Device, OnnxOptions(s));
        using var referenceClassifier = s.Classifier is null ? null : ClassifierFiles.Open(s.Classifier, labels, s.Device, OnnxOptions(s));
        var encoder = EvalMetrics.AnyReads(metrics, MetricInputs.Encoder) ? EncoderSpec.Resolve(s.Encoder, () => baseSet) : null;
        try
        {
            var inputs = new EvalInputs
            {
                LabelSet = labels,
                Classifier = classifier,
                CheckpointPath = s.Model is { } model && !model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? model : null,
                BaseSet = baseSet,
                NaturalSets = s.Natural.Select(n => ParseNatural(n, options)).ToArray(),
                TransferTasks = s.Transfer.Select(t => ParseTransfer(t, options)).ToArray(),
                Shift = s.Shift is null ? null : DataSources.Load(s.Shift, options).Images,
                ReferenceSet = s.Reference is null ? null : DataSources.Load(s.Reference, options).Images,
                ReferenceClassifier = referenceClassifier,
                LeakageSets = [new NaturalEvalSet("base", baseSet)],
                Encoder = encoder,
                EmbeddingCacheFolder = Path.Combine(s.Out, "embeddings"),
                CorruptedSetCacheFolder = Path.Combine(s.Out, "corrupted"),
                CorruptionReferencePath = s.CorruptionReference,
            };
            var result = EvalSuite.Run(instances, inputs, s.Out, s.Force, cancellation);
            SuiteTable.Print(result);
            Console.WriteLine($"wrote:  {Path.Combine(s.Out, "metrics.json")} and one folder per metric");
        }
        finally
        {
            encoder?.Dispose();
        }
        return 0;
    }

    private static OnnxClassifierOptions OnnxOptions(Settings s)
    {
        var options = s.OnnxImageNet ? OnnxClassifierOptions.ImageNet : new OnnxClassifierOptions();
        return options with
        {
            InputName = s.OnnxInput,
            Height = s.OnnxSize ?? options.Height,
            Width = s.OnnxSize ?? options.Width,
            Mean = s.OnnxMean is null ? options.Mean : ParseFloats(s.OnnxMean, "--onnx-mean"),
            Std = s.OnnxStd is null ? options.Std : ParseFloats(s.OnnxStd, "--onnx-std"),
            Output = s.OnnxOutput,
        };
    }

    private static float[] ParseFloats(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new SelectBenchException($"{option}: '{parts[i]}' is not a number; give comma-separated numbers such as 0.5,0.5,0.5.");
        return values;
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
