namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// Conversions between the uint8 NCHW planes of <see cref="SelectBench.Data.ImageSet"/> and the float
/// planes the corruptions compute on, and the reference's final cast.
/// </summary>
internal static class CorruptionImage
{
    /// <summary>
    /// Pixels as floats on [0, 1]: the float32 nearest to byte / 255, which is what the references' float32
    /// arrays hold (<c>(np.array(x) / 255.).astype(np.float32)</c> in zoom_blur, <c>np.float32 / 255.</c> in
    /// snow and elastic_transform; both round the exact quotient once). Multiplying by the float 1/255
    /// instead rounds twice and is one ulp off for some bytes, which can move a truncated output by a level.
    /// </summary>
    public static void ToUnit(ReadOnlySpan<byte> image, Span<float> unit)
    {
        ReadOnlySpan<float> table = UnitTable;
        for (int i = 0; i < image.Length; i++) unit[i] = table[image[i]];
    }

    private static readonly float[] UnitTable = Enumerable.Range(0, 256).Select(b => (float)(b / 255.0)).ToArray();

    /// <summary>
    /// <c>np.uint8(np.clip(x, 0, 1) * 255)</c>: imagecorruptions' <c>corrupt()</c> ends with
    /// <c>np.uint8(image_corrupted)</c>, which truncates toward zero (it does not round). We follow it.
    /// </summary>
    public static void StoreUnit(ReadOnlySpan<float> unit, Span<byte> output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            float v = unit[i];
            // NaN-safe clip: !(v > 0) catches NaN as well as negatives.
            output[i] = !(v > 0f) ? (byte)0 : v >= 1f ? (byte)255 : (byte)(v * 255f);
        }
    }

    /// <summary><c>np.uint8(np.clip(x, 0, 255))</c> for corruptions that work on the 0-255 scale (motion blur, frost).</summary>
    public static void StoreByteScale(ReadOnlySpan<float> values, Span<byte> output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            float v = values[i];
            output[i] = !(v > 0f) ? (byte)0 : v >= 255f ? (byte)255 : (byte)v;
        }
    }

    /// <summary>ITU-R 601 luma, as OpenCV's COLOR_RGB2GRAY (used by snow on RGB images).</summary>
    public static float Luma601(float r, float g, float b) => 0.299f * r + 0.587f * g + 0.114f * b;
}
