using System.ComponentModel;
using System.Globalization;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Training;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

[CliCommand("train", "Train a model on a data source with a recipe; writes checkpoint, per-epoch log and metrics JSON (test top-1 as 'top1')",
    Examples = ["train --data fashion-mnist --subset 2000 --recipe quick --out runs/quick",
                "train --data fashion-mnist --recipe default --out runs/full"])]
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <SOURCE>")]
        [Description("Training data: a name (fashion-mnist) or a path (see 'data info --help'); :train is implied for split sources")]
        public string Data { get; init; } = "";

        [CommandOption("--test <SOURCE>")]
        [Description("Test data for the final metrics; default: the --data source's :test split, else a stratified --test-fraction hold-out")]
        public string? Test { get; init; }

        [CommandOption("--test-fraction <F>")]
        [Description("Share of the training data held out as test when the source has no test split")]
        [DefaultValue(0.1)]
        public double TestFraction { get; init; } = 0.1;

        [CommandOption("--subset <N>")]
        [Description("Train on a class-balanced subset of N training images (N/K per class)")]
        public int? Subset { get; init; }

        [CommandOption("--val-fraction <F>")]
        [Description("Hold out this share of the training images (stratified) for per-epoch validation in log.csv; 0 = none")]
        [DefaultValue(0.0)]
        public double ValFraction { get; init; }

        [CommandOption("--data-seed <SEED>")]
        [Description("Seed for the subset and hold-out choices (kept apart from --seed so seeds share one data set)")]
        [DefaultValue(0)]
        public int DataSeed { get; init; }

        [CommandOption("--recipe <NAME|FILE>")]
        [Description("Recipe preset (default, quick) or a .json/.yaml recipe file; the options below override it")]
        [DefaultValue("default")]
        public string Recipe { get; init; } = "default";

        [CommandOption("--model <NAME>")]
        [Description("resnet20, resnet32, resnet56, resnet18 or resnet50")]
        public string? Model { get; init; }

        [CommandOption("--width <W>")]
        [Description("Width multiplier of the model's filters")]
        public double? Width { get; init; }

        [CommandOption("--epochs <E>")]
        public int? Epochs { get; init; }

        [CommandOption("--batch-size <B>")]
        public int? BatchSize { get; init; }

        [CommandOption("--lr <LR>")]
        [Description("Peak learning rate (after warm-up)")]
        public double? LearningRate { get; init; }

        [CommandOption("--seed <SEED>")]
        [Description("Seed for initial weights, data order and augmentation")]
        public int? Seed { get; init; }

        [CommandOption("--device <DEVICE>")]
        [Description("cpu or cuda (cuda needs a CUDA build of TorchSharp; see docs/training.md)")]
        public string? Device { get; init; }

        [CommandOption("--threads <N>")]
        [Description("CPU threads for libtorch; 0 = its default")]
        public int? Threads { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder; rerunning with the same folder resumes from its checkpoint")]
        public string Out { get; init; } = "";

        [CommandOption("--force")]
        [Description("Discard a checkpoint of another recipe or data set in --out and start over")]
        public bool Force { get; init; }

        [CommandOption("--stop-after <E>")]
        [Description("Stop after E epochs in total (the checkpoint stays; rerun without it to finish)")]
        public int? StopAfter { get; init; }

        [CommandOption("--resize <SIZE>")]
        [Description("Resize encoded images (ImageFolder, shards, parquet) to SIZE x SIZE")]
        public int? Resize { get; init; }

        [CommandOption("--grey")]
        [Description("Decode encoded images to one grey channel")]
        public bool Grey { get; init; }

        [CommandOption("--on-bad-input <POLICY>")]
        [Description("fail (default) or skip corrupt inputs")]
        [DefaultValue("fail")]
        public string OnBadInput { get; init; } = "fail";

        public override Spectre.Console.ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Data)) return Spectre.Console.ValidationResult.Error("--data is required (e.g. --data fashion-mnist).");
            if (string.IsNullOrWhiteSpace(Out)) return Spectre.Console.ValidationResult.Error("--out is required: the folder for checkpoint, log and metrics.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var recipe = ResolveRecipe(s);
        var options = LoadOptions(s.OnBadInput, s.Resize, s.Grey);
        var trainSource = DataSources.Load(s.Data, options);
        var train = trainSource.Images;
        Console.WriteLine($"data:   {trainSource.Description}: {train.Count:N0} images {train.Channels}x{train.Height}x{train.Width}, {train.LabelSet.Count} classes");

        ImageSet? test;
        (train, test) = ResolveTest(s, train, options);

        ImageSet? validation = null;
        if (s.ValFraction is < 0 or >= 1) throw new SelectBenchException($"--val-fraction must be in [0, 1), not {s.ValFraction}.");
        if (s.ValFraction > 0)
        {
            var parts = StratifiedSplitter.Split(train.Labels,
                [SplitPart.OfFraction("val", s.ValFraction), SplitPart.Rest("train")], s.DataSeed);
            validation = train.Select(parts["val"]);
            train = train.Select(parts["train"]);
        }
        if (s.Subset is { } n)
        {
            if (n < 2 || n > train.Count) throw new SelectBenchException($"--subset must be between 2 and the {train.Count:N0} training images, not {n}.");
            train = train.Select(ClassBalanced.BalancedSubsample(train.Labels, train.LabelSet.Count, n, s.DataSeed));
        }
        Console.WriteLine($"train:  {train.Count:N0} images{(validation != null ? $", validation {validation.Count:N0}" : "")}{(test != null ? $", test {test.Count:N0}" : "")}");
        Console.WriteLine($"recipe: {recipe.Model} x{recipe.Width.ToString(CultureInfo.InvariantCulture)}, {recipe.Epochs} epochs, batch {recipe.BatchSize}, lr {recipe.LearningRate.ToString(CultureInfo.InvariantCulture)}, seed {recipe.Seed}, {recipe.Device}");

        var trainer = new Trainer(recipe, new TrainerOptions(Force: s.Force, StopAfterEpochs: s.StopAfter, SkippedTrainingInputs: trainSource.Skipped));
        var result = trainer.Train(train, validation, test, s.Out);
        if (result.Metrics is null)
        {
            Console.WriteLine($"stopped after epoch {result.EpochsDone} of {recipe.Epochs}; rerun the same command without --stop-after to finish ({result.CheckpointPath}).");
            return 0;
        }
        var m = result.Metrics;
        var top1 = m.Top1 is { } t ? t.ToString("P2", CultureInfo.InvariantCulture) : "n/a";
        Console.WriteLine($"done:   test top-1 {top1}, {m.Epochs} epochs in {m.Seconds:F0} s ({m.ImagesPerSecond:F0} img/s){(m.ResumedFromCheckpoint ? ", resumed from checkpoint" : "")}");
        Console.WriteLine($"wrote:  {Path.Combine(s.Out, Trainer.MetricsFile)}, {Trainer.LogFile}, {Trainer.CheckpointFile}");
        return 0;
    }

    private static TrainingRecipe ResolveRecipe(Settings s)
    {
        var baseRecipe = File.Exists(s.Recipe) || s.Recipe.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                         || s.Recipe.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || s.Recipe.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            ? TrainingRecipe.Load(s.Recipe)
            : TrainingRecipe.Preset(s.Recipe);
        return (baseRecipe with
        {
            Model = s.Model ?? baseRecipe.Model,
            Width = s.Width ?? baseRecipe.Width,
            Epochs = s.Epochs ?? baseRecipe.Epochs,
            BatchSize = s.BatchSize ?? baseRecipe.BatchSize,
            LearningRate = s.LearningRate ?? baseRecipe.LearningRate,
            Seed = s.Seed ?? baseRecipe.Seed,
            Device = s.Device ?? baseRecipe.Device,
            Threads = s.Threads ?? baseRecipe.Threads,
            // Fewer epochs than the preset's warm-up would leave no cosine phase; keep warm-up below the epochs.
            WarmupEpochs = Math.Min(baseRecipe.WarmupEpochs, Math.Max(0, (s.Epochs ?? baseRecipe.Epochs) - 1)),
        }).Validate();
    }

    /// <summary>The explicit --test source, else the :test split of --data, else a stratified hold-out.</summary>
    private static (ImageSet Train, ImageSet? Test) ResolveTest(Settings s, ImageSet train, DataLoadOptions options)
    {
        if (s.Test is { } testSpec) return (train, Checked(DataSources.Load(testSpec, options).Images, train, testSpec));
        var source = s.Data.EndsWith(":train", StringComparison.Ordinal) ? s.Data[..^":train".Length] : s.Data;
        if (!source.Contains(':') || Path.Exists(source))
        {
            try
            {
                var loaded = DataSources.Load(source + ":test", options);
                Console.WriteLine($"test:   {loaded.Description}");
                return (train, Checked(loaded.Images, train, source + ":test"));
            }
            catch (SelectBenchException e)
            {
                Console.WriteLine($"test:   no test split ({e.Message.ReplaceLineEndings(" ")})");
            }
        }
        if (s.TestFraction is <= 0 or >= 1) throw new SelectBenchException($"--test-fraction must be in (0, 1), not {s.TestFraction}.");
        var parts = StratifiedSplitter.Split(train.Labels, [SplitPart.OfFraction("test", s.TestFraction), SplitPart.Rest("train")], s.DataSeed);
        Console.WriteLine($"test:   holding out {parts["test"].Length:N0} training images (stratified, --test-fraction {s.TestFraction.ToString(CultureInfo.InvariantCulture)})");
        return (train.Select(parts["train"]), train.Select(parts["test"]));
    }

    private static ImageSet Checked(ImageSet test, ImageSet train, string spec) =>
        test.LabelSet.SameAs(train.LabelSet) ? test
            : throw new SelectBenchException($"Test source '{spec}' has another label set than the training data ({test.LabelSet.Count} vs {train.LabelSet.Count} classes).");

    internal static DataLoadOptions LoadOptions(string onBadInput, int? resize, bool grey)
    {
        var policy = onBadInput.ToLowerInvariant() switch
        {
            "fail" => BadInputPolicy.Fail,
            "skip" => BadInputPolicy.Skip,
            _ => throw new SelectBenchException($"--on-bad-input must be 'fail' or 'skip', not '{onBadInput}'."),
        };
        int channels = grey ? 1 : 3;
        var transform = new ImageTransform(Channels: channels);
        if (resize is { } size)
        {
            if (size <= 0) throw new SelectBenchException($"--resize must be positive, not {size}.");
            transform = ImageTransform.Resize(size, channels);
        }
        return new DataLoadOptions(policy, transform);
    }
}
