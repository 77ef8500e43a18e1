using System.ComponentModel;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Evaluation.Suite;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

[CliCommand("analyze", "Analyse a shift without training: class distribution, label quality, duplicates, leakage, image quality and SSL kNN",
    Examples = ["analyze --shift runs/quick/shifts/crowd-schema --reference runs/quick/shifts/expert --out runs/quick/analysis/crowd"])]
public sealed class AnalyzeCommand : Command<AnalyzeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--shift <SOURCE>")]
        [Description("The shift to analyse: a shift folder or any data source")]
        public string Shift { get; init; } = "";

        [CommandOption("--reference <SOURCE>")]
        [Description("Reference images for image quality (the expert baseline); image quality is skipped without it")]
        public string? Reference { get; init; }

        [CommandOption("--data <SOURCE>")]
        [Description("The base eval set: kNN queries and the leakage check")]
        [DefaultValue("fashion-mnist:test")]
        public string Data { get; init; } = "fashion-mnist:test";

        [CommandOption("--encoder <SPEC>")]
        [Description("Fixed encoder: " + EncoderSpec.Help)]
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
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var options = new DataLoadOptions();
        var shift = DataSources.Load(s.Shift, options).Images;
        var baseSet = DataSources.Load(s.Data, options).Images;
        var reference = s.Reference is null ? null : DataSources.Load(s.Reference, options).Images;
        var encoder = EncoderSpec.Resolve(s.Encoder, () => baseSet);
        try
        {
            // The default suite's shift metrics that what this command has can feed.
            var provided = MetricInputs.Shift | MetricInputs.BaseSet | MetricInputs.Encoder | MetricInputs.LeakageSets
                           | (reference is null ? MetricInputs.None : MetricInputs.ReferenceSet);
            var metrics = EvalMetrics.OfScope(EvalMetrics.DefaultSuite, MetricScope.Shift)
                .Where(m => (EvalMetrics.Declaration(m).Requires & ~provided) == MetricInputs.None).ToList();
            var inputs = new EvalInputs
            {
                LabelSet = shift.LabelSet,
                Shift = shift,
                BaseSet = baseSet,
                ReferenceSet = reference,
                LeakageSets = [new NaturalEvalSet("base", baseSet)],
                Encoder = encoder,
                EmbeddingCacheFolder = Path.Combine(s.Out, "embeddings"),
            };
            var section = EvalMetrics.With(null, new DatasetAnalyticsSettings(s.NominalPerClass));
            var result = EvalSuite.Run(metrics.Select(m => EvalMetrics.Create(m, section, "analyze")).ToList(), inputs, s.Out, s.Force, cancellationToken);
            EvaluateCommand.PrintValues(result);
            Console.WriteLine($"wrote:  {Path.Combine(s.Out, "metrics.json")}, analytics/, label-quality/ (label_issues.csv), knn/{(reference is null ? "" : ", image-quality/")}");
        }
        finally
        {
            encoder.Dispose();
        }
        return 0;
    }
}
