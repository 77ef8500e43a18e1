using SelectBench.Data;

namespace SelectBench.Training;

/// <summary>
/// Per-channel mean and standard deviation of the training pixels, in [0, 1] units. Computed once from the
/// training set, stored in the checkpoint, and applied unchanged at evaluation: x' = (x / 255 - mean) / std.
/// </summary>
public sealed record InputNormalization(float[] Mean, float[] Std)
{
    /// <summary>Population mean and standard deviation per channel over all pixels of all images.</summary>
    public static InputNormalization FromImages(ImageSet images) => FromIndices(images, Enumerable.Range(0, images.Count));

    /// <summary>
    /// The same statistics over at most <paramref name="maxImages"/> evenly spaced images (every image when there are
    /// fewer): for out-of-core sets, where reading every image would decode the whole set once more.
    /// </summary>
    public static InputNormalization FromSample(ImageSet images, int maxImages)
    {
        if (images.Count <= maxImages) return FromImages(images);
        return FromIndices(images, Enumerable.Range(0, maxImages).Select(k => (int)((long)k * images.Count / maxImages)));
    }

    private static InputNormalization FromIndices(ImageSet images, IEnumerable<int> indices)
    {
        int c = images.Channels, plane = images.Height * images.Width;
        var sum = new long[c];
        var sumSq = new double[c];
        var histogram = new long[c, 256];
        long used = 0;
        foreach (int i in indices)
        {
            used++;
            var img = images.Image(i);
            for (int ch = 0; ch < c; ch++)
                foreach (var v in img.Slice(ch * plane, plane)) histogram[ch, v]++;
        }
        // Moments from the per-value histogram: exact, and one pass of cheap increments over the pixels.
        var mean = new float[c];
        var std = new float[c];
        double count = (double)used * plane;
        for (int ch = 0; ch < c; ch++)
        {
            for (int v = 0; v < 256; v++)
            {
                sum[ch] += histogram[ch, v] * v;
                sumSq[ch] += histogram[ch, v] * (double)v * v;
            }
            double m = sum[ch] / count;
            double variance = Math.Max(0, sumSq[ch] / count - m * m);
            mean[ch] = (float)(m / 255.0);
            // A constant channel would divide by zero; 1 leaves it centred but unscaled.
            std[ch] = variance > 0 ? (float)(Math.Sqrt(variance) / 255.0) : 1f;
        }
        return new InputNormalization(mean, std);
    }
}
