using System.Text.Json;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Running;
using SelectBench.Training;

namespace SelectBench.Benchmark;

/// <summary>
/// Trains the run's recipe on one shift (or a class-stratified fraction of it, for the expert-equivalent
/// size) with one seed. Checkpoints go to the job's work folder, so a killed job resumes at its last epoch.
/// </summary>
public sealed class TrainJobKind : IJobKind
{
    public const string KindName = "train";
    public string Name => KindName;

    public sealed record Result(string Shift, double Fraction, int Images, int Seed, int Epochs, double Seconds, double ImagesPerSecond,
        double FinalTrainLoss, double FinalTrainAccuracy, string Checkpoint);

    public void Run(JobContext context)
    {
        var s = context.Job.Settings;
        var shiftName = s["shift"]!.GetValue<string>();
        var fraction = s["fraction"]!.GetValue<double>();
        var recipe = (s["recipe"].Deserialize<TrainingRecipe>(Json.Options)
                      ?? throw new SelectBenchException($"job '{context.Job.Id}': recipe is missing.")) with { Threads = context.Threads };
        context.UseEngine();
        var shift = BenchmarkInputs.Shift(context, shiftName);
        var images = fraction < 1 ? ClassBalanced.Fraction(shift.Images, fraction, s["fraction_seed"]!.GetValue<long>()) : shift.Images;
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
