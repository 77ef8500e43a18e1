using SelectBench.Cli;
using System.ComponentModel;
using System.Globalization;
using SelectBench.Common;
using SelectBench.Running;
using SelectBench.Training;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

[CliCommand("train", "Train a model on a data source with a recipe; writes checkpoint, per-epoch log and metrics JSON (test top-1 as 'top1')",
    Examples = ["train --data fashion-mnist --subset 2000 --recipe quick --out runs/quick",
                "train --data fashion-mnist --recipe default --out runs/full"])]
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : DecodingSettings
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

        [CommandOption("--stop-after-steps <N>")]
        [Description("Out-of-core training data: stop after N steps in total with a mid-epoch checkpoint (rerun without it to finish)")]
        public long? StopAfterSteps { get; init; }




        public override Spectre.Console.ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Data)) return Spectre.Console.ValidationResult.Error("--data is required (e.g. --data fashion-mnist).");
            if (string.IsNullOrWhiteSpace(Out)) return Spectre.Console.ValidationResult.Error("--out is required: the folder for checkpoint, log and metrics.");
            if (StopAfterSteps is < 1) return Spectre.Console.ValidationResult.Error($"--stop-after-steps must be at least 1, not {StopAfterSteps}.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        using var shutdown = new ShutdownSignal(Console.Error.WriteLine);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token, cancellationToken);
        var recipe = ResolveRecipe(s);
        var data = TrainingData.Prepare(new TrainingDataSettings(s.Data, s.Test, s.TestFraction, s.Subset, s.ValFraction, s.DataSeed,
            DataOptions.From(s.OnBadInput, s.Resize, s.Grey)), Console.WriteLine, linked.Token);
        var (train, validation, test) = (data.Train, data.Validation, data.Test);
        Console.WriteLine($"train:  {train.Count:N0} images{(validation != null ? $", validation {validation.Count:N0}" : "")}{(test != null ? $", test {test.Count:N0}" : "")}");
        Console.WriteLine($"recipe: {recipe.Model} x{recipe.Width.ToString(CultureInfo.InvariantCulture)}, {recipe.Epochs} epochs, batch {recipe.BatchSize}, lr {recipe.LearningRate.ToString(CultureInfo.InvariantCulture)}, seed {recipe.Seed}, {recipe.Device}");

        var trainer = new Trainer(recipe, new TrainerOptions(Force: s.Force, StopAfterEpochs: s.StopAfter, StopAfterSteps: s.StopAfterSteps, Cancellation: linked.Token,
            SkippedTrainingInputs: data.Skipped));
        TrainingResult result;
        try
        {
            result = trainer.Train(train, validation, test, s.Out);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            Console.WriteLine($"cancelled: rerun the same command to resume from the last finished epoch's checkpoint in {s.Out}.");
            return JobExitCode.Cancelled;
        }
        if (result.Metrics is null)
        {
            Console.WriteLine($"stopped after {(s.StopAfterSteps is { } n ? $"step {n}" : $"epoch {result.EpochsDone}")} of {recipe.Epochs} epochs; rerun the same command without --stop-after(-steps) to finish ({result.CheckpointPath}).");
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
}
