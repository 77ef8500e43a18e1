using System.ComponentModel;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Evaluation.Classifiers;
using SelectBench.Benchmark;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>The shift metrics on one shift without training (<see cref="ShiftAnalysis"/>). `analyze`, the old spelling, is an alias.</summary>
[CliCommand("analyse", "Analyse a shift without training: class distribution, label quality, duplicates, leakage, image quality and SSL kNN",
    Aliases = ["analyze"],
    Examples = ["analyse --shift runs/quick/shifts/crowd-schema --reference runs/quick/shifts/expert --out runs/quick/analysis/crowd"])]
public sealed class AnalyseCommand : Command<AnalyseCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--shift <SOURCE>")]
        [Description("The shift to analyse: a shift folder or any data source")]
        public string Shift { get; init; } = "";

        [CommandOption("--reference <SOURCE>")]
        [Description("Reference images for image quality (the expert baseline); image quality is skipped without it")]
        public string? Reference { get; init; }

        [CommandOption("--classifier <FILE>")]
        [Description("A checkpoint (.ckpt) or ONNX classifier (.onnx) of the shift's classes, e.g. one trained on the expert shift: image quality then reports the Inception Score of the shift under it (needs --reference)")]
        public string? Classifier { get; init; }

        [CommandOption("--data <SOURCE>")]
        [Description("The base eval set: kNN queries and the leakage check")]
        [DefaultValue("fashion-mnist:test")]
        public string Data { get; init; } = "fashion-mnist:test";

        [CommandOption("--encoder <SPEC>")]
        [Description("Fixed encoder: " + HelpText.Encoder)]
        [DefaultValue("pca")]
        public string Encoder { get; init; } = "pca";

        [CommandOption("--nominal-per-class <N>")]
        [Description("Nominal images per class for LT@t (t = 500/1300 of it); default the shift's N/K")]
        public int? NominalPerClass { get; init; }

        [CommandOption("--force")]
        public bool Force { get; init; }

        [CommandOption("--out <DIR>")]
        public string Out { get; init; } = "";

        public override Spectre.Console.ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Shift)) return Spectre.Console.ValidationResult.Error("--shift is required.");
            if (string.IsNullOrWhiteSpace(Out)) return Spectre.Console.ValidationResult.Error("--out is required.");
            if (Classifier is not null && Reference is null)
                return Spectre.Console.ValidationResult.Error("--classifier gives the Inception Score, which image quality reports: give --reference too.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var options = new DataLoadOptions();
        var shift = DataSources.Load(s.Shift, options).Images;
        var baseSet = DataSources.Load(s.Data, options).Images;
        var reference = s.Reference is null ? null : DataSources.Load(s.Reference, options).Images;
        using var classifier = s.Classifier is null ? null : ClassifierFiles.Open(s.Classifier, shift.LabelSet);
        var result = ShiftAnalysis.Run(shift, baseSet, reference, s.Encoder, s.NominalPerClass, s.Out, s.Force, cancellationToken, classifier);
        SuiteTable.Print(result);
        Console.WriteLine($"wrote:  {Path.Combine(s.Out, "metrics.json")}, analytics/, label-quality/ (label_issues.csv), knn/{(reference is null ? "" : ", image-quality/")}");
        return 0;
    }
}
