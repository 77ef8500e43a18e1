using System.Globalization;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Running;
using SelectBench.Training;

namespace SelectBench.Benchmark;

/// <summary>Settings of a train job, as <see cref="BenchmarkPlan"/> writes them into plan.json.</summary>
/// <param name="Shift">The shift trained on.</param>
/// <param name="Fraction">The class-stratified share of the shift trained on: 1 for the shift itself, less for an expert fraction.</param>
/// <param name="FractionSeed">Chooses the fraction's images (the curation seed), the same for every training seed.</param>
/// <param name="ExpectedImages">round(fraction x target size); only weights the run's progress bar.</param>
/// <param name="Recipe">The run's recipe with this job's seed; the threads come from the executor.</param>
public sealed record TrainJobSettings(string Shift = "", double Fraction = 1, long FractionSeed = 0, int ExpectedImages = 0,
    TrainingRecipe Recipe = null!) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "shift", Shift);
        if (!(Fraction > 0 && Fraction <= 1)) throw new SelectBenchException($"{where}.fraction: {Fraction.ToString("R", CultureInfo.InvariantCulture)} is not allowed; give a number in (0, 1].");
        if (ExpectedImages < 0) throw new SelectBenchException($"{where}.expected_images: {ExpectedImages} is not allowed; give 0 or more.");
        if (Recipe is null) throw new SelectBenchException($"{where}: recipe is missing.");
        try
        {
            Recipe.Validate();
        }
        catch (SelectBenchException e)
        {
            throw new SelectBenchException($"{where}.recipe: {e.Message}", e);
        }
    }
}

/// <summary>
/// Trains the run's recipe on one shift (or a class-stratified fraction of it, for the expert-equivalent
/// size) with one seed. Checkpoints go to the job's work folder, so a killed job resumes at its last epoch.
/// </summary>
[Registered(KindName, Description = "Trains the run's recipe on one shift (or an expert fraction) with one seed", Settings = typeof(TrainJobSettings))]
public sealed class TrainJobKind(TrainJobSettings settings) : IJobKind
{
    public const string KindName = "train";

    public sealed record Result(string Shift, double Fraction, int Images, int Seed, int Epochs, double Seconds, double ImagesPerSecond,
        double FinalTrainLoss, double FinalTrainAccuracy, string Checkpoint);

    public void Run(JobContext context)
    {
        var shiftName = settings.Shift;
        var fraction = settings.Fraction;
        var recipe = settings.Recipe with { Threads = context.Threads };
        context.UseEngine();
        var shift = BenchmarkInputs.Shift(context, shiftName);
        var images = fraction < 1 ? ClassBalanced.Fraction(shift.Images, fraction, settings.FractionSeed) : shift.Images;
        if (images.Count < 2)
            throw new SelectBenchException(
                $"shift '{shiftName}' has {images.Count} image(s) (see {BenchmarkPlan.CurateJob(shiftName)}/result.json): too few to train. " +
                "Loosen the shift's settings (threshold, margin, floor) or raise target_size, then rerun.");
        var work = Path.Combine(context.WorkDir, BenchmarkInputs.ModelFolder);
        var trainer = new Trainer(recipe, new TrainerOptions(ShowProgress: false, Cancellation: context.Cancellation));
        var result = trainer.Train(images, validation: null, test: null, work);
        var metrics = result.Metrics ?? throw new SelectBenchException($"job '{context.Job.Id}': training stopped before the last epoch.");
        context.Log.WriteLine($"trained {recipe.Model} x{recipe.Width} on {images.Count:N0} images, {metrics.Epochs} epochs in {metrics.Seconds:F1} s");
        BenchmarkInputs.Publish(work, Path.Combine(context.OutputDir, BenchmarkInputs.ModelFolder));
        context.WriteResult(new Result(shiftName, fraction, images.Count, recipe.Seed, metrics.Epochs, metrics.Seconds, metrics.ImagesPerSecond,
            metrics.FinalTrainLoss, metrics.FinalTrainAccuracy, Path.Combine(BenchmarkInputs.ModelFolder, Trainer.CheckpointFile)));
    }
}
