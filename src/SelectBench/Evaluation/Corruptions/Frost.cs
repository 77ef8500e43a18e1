namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// Frost: clip(a·x + b·frost, 0, 255) with a random crop of one of five frost textures. (a, b) per
/// severity and the blend from bethgelab/imagecorruptions corruptions.py frost (same in
/// hendrycks/robustness make_imagenet_c.py). The reference's photographs are replaced by
/// <see cref="FrostTextures"/>, whose colour statistics are fitted to them; the texture index and the crop
/// offsets are uniform, as the reference's np.random.randint. A grey image blends with the grey texture,
/// as the reference's rgb2gray branch.
/// </summary>
public sealed class Frost : Corruption
{
    public static readonly (double ImageWeight, double FrostWeight)[] Parameters = [(1, 0.4), (0.8, 0.6), (0.7, 0.7), (0.65, 0.7), (0.6, 0.75)];

    public override string Name => "frost";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        int side = FrostTextures.SideFor(shape.Height, shape.Width);
        FrostTexture texture = FrostTextures.Get(rng.NextInt(0, FrostTextures.Count), side);
        int top = rng.NextInt(0, side - shape.Height), left = rng.NextInt(0, side - shape.Width);
        Blend(image, output, shape, severity, texture, top, left);
    }

    /// <summary>The blend with one texture at one crop offset (tests average over both).</summary>
    internal static void Blend(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity,
                               FrostTexture texture, int top, int left)
    {
        var (a, b) = Parameters[severity - 1];
        int h = shape.Height, w = shape.Width, plane = shape.PlaneSize, side = texture.Side;
        float fa = (float)a, fb = (float)b;
        for (int ch = 0; ch < shape.Channels; ch++)
        {
            ReadOnlySpan<float> frost = shape.Channels == 1
                ? texture.Grey
                : texture.Rgb.AsSpan(ch * side * side, side * side);
            for (int y = 0; y < h; y++)
            {
                ReadOnlySpan<float> row = frost.Slice((top + y) * side + left, w);
                ReadOnlySpan<byte> src = image.Slice(ch * plane + y * w, w);
                Span<byte> dst = output.Slice(ch * plane + y * w, w);
                for (int x = 0; x < w; x++)
                {
                    float v = fa * src[x] + fb * row[x];
                    dst[x] = v >= 255f ? (byte)255 : (byte)v;
                }
            }
        }
    }
}
