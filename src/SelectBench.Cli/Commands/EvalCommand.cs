using System.ComponentModel;
using System.Globalization;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Evaluation;
using SelectBench.Evaluation.Classifiers;
using Spectre.Console.Cli;
using SelectBench.Statistics;

namespace SelectBench.Cli.Commands;

[CliCommand("eval", "Evaluate a SelectBench checkpoint or an ONNX classifier on a data source; writes metrics JSON and predictions (.npy)",
    Examples = ["eval --model runs/quick/checkpoint.ckpt --data fashion-mnist:test --out runs/quick/eval",
                "eval --model resnet50.onnx --data ./imagenet-val --resize 224 --onnx-imagenet --out eval/in-val"])]
public sealed class EvalCommand : Command<EvalCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <FILE>")]
        [Description("A checkpoint written by 'train' (.ckpt) or an ONNX model (.onnx)")]
        public string Model { get; init; } = "";

        [CommandOption("--data <SOURCE>")]
        [Description("Evaluation data: a name (fashion-mnist:test) or a path")]
        public string Data { get; init; } = "";

        [CommandOption("--out <DIR>")]
        [Description("Output folder for metrics.json and eval_*.npy")]
        public string Out { get; init; } = "";

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
        [Description("Comma-separated per-channel mean of [0,1] pixels (default 0)")]
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

        [CommandOption("--resize <SIZE>")]
        [Description("Resize encoded images to SIZE x SIZE while loading")]
        public int? Resize { get; init; }

        [CommandOption("--grey")]
        [Description("Decode encoded images to one grey channel")]
        public bool Grey { get; init; }

        [CommandOption("--on-bad-input <POLICY>")]
        [DefaultValue("fail")]
        public string OnBadInput { get; init; } = "fail";

        public override Spectre.Console.ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Model)) return Spectre.Console.ValidationResult.Error("--model is required: a .ckpt checkpoint or an .onnx model.");
            if (string.IsNullOrWhiteSpace(Data)) return Spectre.Console.ValidationResult.Error("--data is required (e.g. --data fashion-mnist:test).");
            if (string.IsNullOrWhiteSpace(Out)) return Spectre.Console.ValidationResult.Error("--out is required.");
            return base.Validate();
        }
    }

    /// <summary>The eval metrics JSON (snake_case).</summary>
    public sealed record EvalMetrics(string Model, string Data, int Images, double Top1, double Top5, double? BalancedAccuracy,
                                     string[] ClassNames, double?[] PerClassAccuracy, double?[] PerClassPrecision,
                                     int[][] ConfusionMatrix, double Seconds, double ImagesPerSecond);

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var data = DataSources.Load(s.Data, TrainCommand.LoadOptions(s.OnBadInput, s.Resize, s.Grey));
        var images = data.Images;
        Console.WriteLine($"data:   {data.Description}: {images.Count:N0} images {images.Channels}x{images.Height}x{images.Width}");
        using var classifier = Open(s, images.LabelSet);
        if (ClassifierInput.Check(classifier, images, $"'{s.Data}'") is { } fitted) Console.WriteLine($"input:  {fitted}");
        if (classifier.LabelSet.Count != images.LabelSet.Count)
            throw new SelectBenchException($"{s.Model} predicts {classifier.LabelSet.Count} classes but '{s.Data}' has {images.LabelSet.Count}; evaluate on data with the model's label set.");
        if (!classifier.LabelSet.Names.SequenceEqual(images.LabelSet.Names))
            Console.Error.WriteLine($"selectbench: warning: the data's class names differ from the model's; class i of the data is scored as the model's class i ({classifier.LabelSet.Names[0]} = {images.LabelSet.Names[0]}, ...).");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var probabilities = classifier.PredictProbabilities(images);
        double seconds = clock.Elapsed.TotalSeconds;
        int classes = classifier.LabelSet.Count;
        var report = ClassificationMetrics.Compute(probabilities, images.Labels, classes);
        Directory.CreateDirectory(s.Out);
        ClassificationMetrics.Export(s.Out, "eval", probabilities, images.Labels, classes);
        static double? Finite(double v) => double.IsNaN(v) ? null : v;
        var metrics = new EvalMetrics(classifier.Name, data.Description, images.Count, report.Top1, report.Top5, Finite(report.BalancedAccuracy),
            classifier.LabelSet.Names.ToArray(), report.PerClassAccuracy.Select(Finite).ToArray(), report.PerClassPrecision.Select(Finite).ToArray(),
            report.ConfusionMatrix, seconds, seconds > 0 ? images.Count / seconds : 0);
        var path = Path.Combine(s.Out, "metrics.json");
        AtomicFile.WriteJson(path, metrics);
        Console.WriteLine($"done:   top-1 {report.Top1.ToString("P2", CultureInfo.InvariantCulture)}, top-5 {report.Top5.ToString("P2", CultureInfo.InvariantCulture)}, " +
                          $"balanced {report.BalancedAccuracy.ToString("P2", CultureInfo.InvariantCulture)} ({images.Count / Math.Max(seconds, 1e-9):F0} img/s)");
        Console.WriteLine($"wrote:  {path}, eval_probabilities.npy, eval_predictions.npy, eval_labels.npy");
        return 0;
    }

    private static IImageClassifier Open(Settings s, LabelSet dataLabels)
    {
        var options = s.OnnxImageNet ? OnnxClassifierOptions.ImageNet : new OnnxClassifierOptions();
        options = options with
        {
            InputName = s.OnnxInput,
            Height = s.OnnxSize ?? options.Height,
            Width = s.OnnxSize ?? options.Width,
            Mean = s.OnnxMean is null ? options.Mean : ParseFloats(s.OnnxMean, "--onnx-mean"),
            Std = s.OnnxStd is null ? options.Std : ParseFloats(s.OnnxStd, "--onnx-std"),
            Output = s.OnnxOutput,
        };
        return ClassifierFiles.Open(s.Model, dataLabels, s.Device, options);
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
}
