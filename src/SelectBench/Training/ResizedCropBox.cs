using SelectBench.Common;

namespace SelectBench.Training;

/// <summary>A crop box in pixels of the full-size image: rows Top..Top+Height, columns Left..Left+Width.</summary>
public readonly record struct CropBox(int Top, int Left, int Height, int Width);

/// <summary>
/// Where random-resized-crop cuts (Szegedy et al. 2015), by torchvision's rule
/// (torchvision/transforms/transforms.py, RandomResizedCrop.get_params), which timm's train transform uses:
/// up to 10 attempts draw an area fraction uniform in [minScale, maxScale] and a log-uniform aspect ratio in
/// [3/4, 4/3]; sides are round(sqrt(area * ratio)) and round(sqrt(area / ratio)) (Python's round, half to even);
/// the first box that fits is placed uniformly. If none fits, the fallback is a center crop of the whole image
/// clamped to the ratio range. The draws come from the caller's generator (SplitMix64 per sample, not torch's),
/// so the boxes follow torchvision's distribution without being bit-equal to its draws.
/// </summary>
public static class ResizedCropBox
{
    public const int Attempts = 10;
    public static readonly double MinRatio = 3.0 / 4.0, MaxRatio = 4.0 / 3.0;

    internal static CropBox Draw(int height, int width, double minScale, SplitMix64 rng, double maxScale = 1.0) =>
        Draw(height, width, minScale, maxScale, () => Uniform(rng), bound => (int)rng.NextBelow((ulong)bound));

    /// <summary>The box for an image of <paramref name="height"/> x <paramref name="width"/>; <paramref name="uniform"/>
    /// gives draws in [0, 1), <paramref name="below"/> an integer in [0, bound).</summary>
    public static CropBox Draw(int height, int width, double minScale, double maxScale, Func<double> uniform, Func<int, int> below)
    {
        double area = (double)height * width;
        double logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            double targetArea = area * (minScale + (maxScale - minScale) * uniform());
            double ratio = Math.Exp(logMin + (logMax - logMin) * uniform());
            int w = (int)Math.Round(Math.Sqrt(targetArea * ratio), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(targetArea / ratio), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int top = below(height - h + 1);
                int left = below(width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        return CenterFallback(height, width);
    }

    /// <summary>torchvision's fallback: the whole image, clamped to the ratio range, centred (integer division).</summary>
    public static CropBox CenterFallback(int height, int width)
    {
        double inRatio = (double)width / height;
        int w, h;
        if (inRatio < MinRatio) { w = width; h = (int)Math.Round(w / MinRatio, MidpointRounding.ToEven); }
        else if (inRatio > MaxRatio) { h = height; w = (int)Math.Round(h * MaxRatio, MidpointRounding.ToEven); }
        else { w = width; h = height; }
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }

    /// <summary>The box the evaluation view keeps of a full image, for crop "none": the centred square of the shorter side.</summary>
    public static CropBox CenterSquare(int height, int width)
    {
        int side = Math.Min(height, width);
        return new CropBox((height - side) / 2, (width - side) / 2, side, side);
    }

    /// <summary>Uniform in [0, 1) from the top 53 bits.</summary>
    internal static double Uniform(SplitMix64 rng) => (rng.NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
