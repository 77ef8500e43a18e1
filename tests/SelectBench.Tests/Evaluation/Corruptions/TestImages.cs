namespace SelectBench.Tests.Evaluation.Corruptions;

/// <summary>Small "natural-ish" test images: a smooth gradient with a bright disc, a dark bar and mild texture.</summary>
internal static class TestImages
{
    public static byte[] Scene(int channels, int height, int width, int variant = 0)
    {
        var pixels = new byte[channels * height * width];
        double cx = width * (0.35 + 0.08 * (variant % 3)), cy = height * (0.4 + 0.07 * (variant % 4));
        double radius = Math.Min(height, width) * (0.16 + 0.03 * (variant % 3));
        // The dark bar moves and changes width between variants, so block-aligned corruptions (pixelate,
        // JPEG) do not always see an edge at the same offset within their blocks.
        double barLeft = width * (0.55 + 0.043 * (variant % 7)), barWidth = 2 + variant % 3;
        for (int ch = 0; ch < channels; ch++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double v = 40 + 120.0 * x / Math.Max(width - 1, 1) + 40.0 * y / Math.Max(height - 1, 1);
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius) v = 215 - 20 * ch;
                    if (x >= barLeft && x < barLeft + barWidth && y > height * 0.15) v = 25 + 10 * ch;
                    v += 8 * Math.Sin(0.9 * x + 0.5 * y + variant) + 10 * ch;
                    pixels[(ch * height + y) * width + x] = (byte)Math.Clamp(Math.Round(v), 0, 255);
                }
        return pixels;
    }

    public static double MeanAbsoluteDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        long sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return (double)sum / a.Length;
    }
}
