using SelectBench.Data;

namespace SelectBench.Worlds.FashionMnistPlus;

/// <summary>Edge-map rendition settings.</summary>
/// <param name="Threshold">Edge strengths below this fraction of the image's strongest edge are dropped (paper white).</param>
/// <param name="DarkOnLight">Draw dark lines on white, like the pencil sketches of ImageNet-Sketch (Wang et al. 2019); false gives light lines on black.</param>
public sealed record EdgeMapSettings(double Threshold = 0.15, bool DarkOnLight = true);

/// <summary>
/// SIMULATION of a rendition eval set (ImageNet-R, Hendrycks et al. 2021; ImageNet-Sketch, Wang et al. 2019):
/// each image becomes an edge-map "sketch". Luma (ITU-R BT.601 for RGB) is filtered with the 3x3 Sobel
/// operator (replicated borders); the gradient magnitude is divided by the image's maximum, values under
/// the threshold are dropped, and the rest become line darkness on white paper. Same shape and labels as the
/// input, every channel equal; deterministic.
/// </summary>
public static class EdgeMapRendition
{
    public const string SourceName = "rendition:edge-map";

    public static ImageSet Apply(ImageSet set, EdgeMapSettings? settings = null)
    {
        settings ??= new EdgeMapSettings();
        var pixels = new byte[(long)set.Count * set.ImageSize];
        int size = set.ImageSize;
        var scratch = new float[2 * set.Height * set.Width];
        var provenance = new SampleProvenance[set.Count];
        for (int i = 0; i < set.Count; i++)
        {
            Render(set.Image(i), set.Channels, set.Height, set.Width, settings, pixels.AsSpan(i * size, size), scratch);
            provenance[i] = new SampleProvenance(SourceName, set.Ids[i], TrueLabel: set.Labels[i], Simulated: true,
                Note: "simulated rendition: Sobel edge-map sketch of the source image");
        }
        return new ImageSet(pixels, (int[])set.Labels.Clone(), set.LabelSet, set.Channels, set.Height, set.Width,
            (string[])set.Ids.Clone(), provenance);
    }

    /// <summary>Renders one C x H x W image into <paramref name="target"/> (same shape). <paramref name="scratch"/> holds 2 H W floats.</summary>
    public static void Render(ReadOnlySpan<byte> image, int channels, int height, int width, EdgeMapSettings settings,
                              Span<byte> target, Span<float> scratch)
    {
        int plane = height * width;
        var luma = scratch[..plane];
        var magnitude = scratch.Slice(plane, plane);
        for (int p = 0; p < plane; p++)
            luma[p] = channels == 3
                ? 0.299f * image[p] + 0.587f * image[plane + p] + 0.114f * image[2 * plane + p]
                : Mean(image, channels, plane, p);
        float max = 0;
        for (int y = 0; y < height; y++)
        {
            int up = Math.Max(y - 1, 0), down = Math.Min(y + 1, height - 1);
            for (int x = 0; x < width; x++)
            {
                int left = Math.Max(x - 1, 0), right = Math.Min(x + 1, width - 1);
                // Sobel kernels: gx = [-1 0 1; -2 0 2; -1 0 1], gy its transpose.
                float gx = luma[up * width + right] + 2 * luma[y * width + right] + luma[down * width + right]
                           - luma[up * width + left] - 2 * luma[y * width + left] - luma[down * width + left];
                float gy = luma[down * width + left] + 2 * luma[down * width + x] + luma[down * width + right]
                           - luma[up * width + left] - 2 * luma[up * width + x] - luma[up * width + right];
                float m = MathF.Sqrt(gx * gx + gy * gy);
                magnitude[y * width + x] = m;
                max = MathF.Max(max, m);
            }
        }
        for (int p = 0; p < plane; p++)
        {
            float v = max > 0 ? magnitude[p] / max : 0;
            if (v < settings.Threshold) v = 0;
            byte ink = (byte)MathF.Round(255 * v);
            byte value = settings.DarkOnLight ? (byte)(255 - ink) : ink;
            for (int c = 0; c < channels; c++) target[c * plane + p] = value;
        }
    }

    private static float Mean(ReadOnlySpan<byte> image, int channels, int plane, int p)
    {
        float sum = 0;
        for (int c = 0; c < channels; c++) sum += image[c * plane + p];
        return sum / channels;
    }
}
