using SelectBench.Data;
using SelectBench.Evaluation;
using SelectBench.Evaluation.Classifiers;
using SelectBench.Training;
using SelectBench.Statistics;

namespace SelectBench.Worlds.FashionMnistPlus;

/// <summary>What the hard-set rule kept, per reason.</summary>
/// <param name="Indices">Test-set indices of the hard images, ascending.</param>
/// <param name="Misclassified">How many were misclassified by at least MinWrong models.</param>
/// <param name="ToppedUp">Test-set indices added to classes below MinPerClass, ascending.</param>
/// <param name="ModelAccuracies">Test top-1 of each reference model.</param>
public sealed record HardSetSelection(int[] Indices, int Misclassified, int[] ToppedUp, double[] ModelAccuracies);

/// <summary>
/// The adversarially filtered hard set of FashionMNIST++ (docs/world.md), built the way ImageNet-A was
/// (Hendrycks et al. 2021, "Natural Adversarial Examples": keep the images that fixed reference classifiers get
/// wrong): a test image is hard when at least MinWrong of the independently trained reference models
/// misclassify it. ImageNet-A filtered against one ResNet-50; several seeds make the rule less dependent on one
/// model's accidents. A class with fewer than MinPerClass such images is topped up with its remaining test
/// images of lowest mean true-class probability over the models (the next-hardest), so every class appears;
/// a class absent from the test set stays absent.
/// </summary>
public static class HardSetBuilder
{
    /// <summary>
    /// The rule as a pure function. <paramref name="probabilities"/>[m] is model m's N x K row-major softmax
    /// output on the test set.
    /// </summary>
    public static HardSetSelection Select(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> labels, int classes,
                                          int minWrong, int minPerClass)
    {
        int n = labels.Count, models = probabilities.Count;
        var wrong = new int[n];
        var trueProbability = new double[n];
        var accuracies = new double[models];
        for (int m = 0; m < models; m++)
        {
            var predictions = ClassificationMetrics.Predictions(probabilities[m], n, classes);
            int correct = 0;
            for (int i = 0; i < n; i++)
            {
                if (predictions[i] != labels[i]) wrong[i]++;
                else correct++;
                trueProbability[i] += probabilities[m][i * classes + labels[i]] / models;
            }
            accuracies[m] = n == 0 ? double.NaN : (double)correct / n;
        }
        var hard = new HashSet<int>(Enumerable.Range(0, n).Where(i => wrong[i] >= minWrong));
        int misclassified = hard.Count;
        var toppedUp = new List<int>();
        for (int c = 0; c < classes; c++)
        {
            int have = hard.Count(i => labels[i] == c);
            if (have >= minPerClass) continue;
            // Next-hardest first; ties by index so the result is deterministic.
            foreach (var i in Enumerable.Range(0, n).Where(i => labels[i] == c && !hard.Contains(i))
                         .OrderBy(i => trueProbability[i]).ThenBy(i => i).Take(minPerClass - have))
            {
                hard.Add(i);
                toppedUp.Add(i);
            }
        }
        return new HardSetSelection(hard.Order().ToArray(), misclassified, toppedUp.Order().ToArray(), accuracies);
    }

    /// <summary>
    /// Trains the reference models (ResNet-20 at the given width, seeds 0..Models-1 mixed with the world seed, on a
    /// class-balanced subset of E) into <paramref name="modelsFolder"/>/seed-k, and applies <see cref="Select"/> to
    /// <paramref name="test"/>. A model folder with a finished checkpoint is reused (the trainer resumes).
    /// </summary>
    public static (ImageSet Hard, HardSetSelection Selection) Build(ImageSet expert, ImageSet test, ReferenceModelSettings settings,
                                                                    long seed, string modelsFolder)
    {
        int trainCount = Math.Min(settings.TrainImages, expert.Count);
        var subset = ClassBalanced.BalancedSubsample(expert.Labels, expert.LabelSet.Count, trainCount, unchecked((int)seed));
        var train = expert.Select(subset);
        var probabilities = new List<float[]>();
        for (int m = 0; m < settings.Models; m++)
        {
            var recipe = new TrainingRecipe(Model: "resnet20", Width: settings.Width, Epochs: settings.Epochs, BatchSize: settings.BatchSize,
                LearningRate: 0.05, WarmupEpochs: settings.Epochs > 1 ? 0.5 : 0, Seed: unchecked((int)(seed * 1000 + m))).Validate();
            var result = new Trainer(recipe, new TrainerOptions(ShowProgress: true)).Train(train, null, null,
                Path.Combine(modelsFolder, $"seed-{m}"));
            using var classifier = TorchSharpClassifier.Load(result.CheckpointPath);
            probabilities.Add(classifier.PredictProbabilities(test));
        }
        var selection = Select(probabilities, test.Labels, test.LabelSet.Count, settings.MinWrong, settings.MinPerClass);
        var hard = test.Select(selection.Indices);
        var toppedUp = new HashSet<int>(selection.ToppedUp);
        var provenance = new SampleProvenance[hard.Count];
        for (int k = 0; k < hard.Count; k++)
            provenance[k] = new SampleProvenance("eval:hard", hard.Ids[k], TrueLabel: hard.Labels[k],
                Note: toppedUp.Contains(selection.Indices[k])
                    ? $"per-class top-up: among the class's lowest mean true-class probability over {settings.Models} reference models"
                    : $"misclassified by >= {settings.MinWrong} of {settings.Models} reference ResNet-20 models");
        return (hard.WithProvenance(provenance), selection);
    }
}
