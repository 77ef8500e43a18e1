using SelectBench.Common;

namespace SelectBench.Evaluation.Metrics;

/// <summary>Mean and population standard deviation (np.std) of the per-split scores.</summary>
public sealed record InceptionScoreResult(double Mean, double Std, int Splits);

/// <summary>
/// Inception Score (Salimans et al. 2016, "Improved Techniques for Training GANs", arXiv 1606.03498),
/// from any reference classifier's softmax, as openai/improved-gan computes it
/// (https://github.com/openai/improved-gan, inception_score/model.py, get_inception_score): the images
/// are cut into <c>splits</c> consecutive parts [i n / s, (i + 1) n / s); per part
/// IS = exp(mean_x KL(p(y|x) || p(y))) with p(y) the part's mean prediction; report mean and std over
/// parts. 0 log 0 is taken as 0.
/// The parts are cut from a fixed shuffle of the images, not from their stored order
/// (<see cref="InceptionScoreShuffle"/>: torch-fidelity's numpy RandomState(2020) permutation, after a
/// canonical sort that makes the score independent of the input order). improved-gan splits in stored
/// order, so a class-sorted set gets one-class parts and a score that measures its storage, not its
/// diversity.
/// </summary>
public static class InceptionScore
{
    public const int DefaultSplits = 10;

    /// <param name="probabilities">row-major softmax outputs, <paramref name="count"/> rows of <paramref name="classes"/>.</param>
    public static InceptionScoreResult Compute(float[] probabilities, int count, int classes, int splits = DefaultSplits)
    {
        if (classes < 1 || probabilities.Length != (long)count * classes)
            throw new BadInputException("predicted probabilities", $"hold {probabilities.Length} values but count x classes = {count} x {classes}.");
        if (splits < 1 || count < splits)
            throw new BadInputException("predicted probabilities", $"{count} images cannot be cut into {splits} splits; use fewer splits or more images.");
        for (int i = 0; i < probabilities.Length; i++)
            if (!(probabilities[i] >= 0) || !float.IsFinite(probabilities[i]))
                throw new BadInputException("predicted probabilities", $"value {probabilities[i]} of image {i / classes} is not a probability; pass softmax outputs.");

        int[] order = InceptionScoreShuffle.Order(probabilities, count, classes);
        var scores = new double[splits];
        var marginal = new double[classes];
        for (int s = 0; s < splits; s++)
        {
            int start = (int)((long)s * count / splits), end = (int)((long)(s + 1) * count / splits);
            Array.Clear(marginal);
            for (int k = start; k < end; k++)
                for (int c = 0; c < classes; c++) marginal[c] += probabilities[order[k] * classes + c];
            for (int c = 0; c < classes; c++) marginal[c] /= end - start;
            double klSum = 0;
            for (int k = start; k < end; k++)
                for (int c = 0; c < classes; c++)
                {
                    double p = probabilities[order[k] * classes + c];
                    if (p > 0) klSum += p * (Math.Log(p) - Math.Log(marginal[c]));
                }
            scores[s] = Math.Exp(klSum / (end - start));
        }
        double mean = scores.Average();
        return new InceptionScoreResult(mean, Math.Sqrt(scores.Sum(v => (v - mean) * (v - mean)) / splits), splits);
    }
}
