using System.Security.Cryptography;
using SelectBench.Evaluation.Corruptions;

namespace SelectBench.Tests.Evaluation.Corruptions;

/// <summary>
/// Deterministic corruptions checked pixel for pixel against the reference itself: bethgelab/imagecorruptions
/// (commit c959e65) on numpy 1.24, scipy 1.10 and Pillow 9.4. The expected values are the first 16 hex digits of
/// the SHA-256 of the reference's uint8 output (C x H x W planes) for severities 1-5, printed by
/// <c>scripts/corruption-reference/reference.py fingerprints</c> (grey images go through the reference as
/// corrupt() sends them: stacked to 3 channels, channel 0 taken back).
/// </summary>
public sealed class ReferenceOutputTests
{
    [Theory]
    [InlineData("zoom_blur", 1, 28, "240e1a96dc4d8eba 000e649c35efa623 9a314996ceae8344 c8e8c67720ec3a0a 4e855f89ece84397")]
    [InlineData("zoom_blur", 1, 32, "297f902a89eff6bc 99346db385b859b4 1d77b2bcdf5463ec 564ee309a55d3786 4e2433d7a070ebdf")]
    [InlineData("zoom_blur", 3, 32, "c5b261859fcf8255 375f16e3f633d9e5 bca917fb2eaeda6f 297173b434d68a10 55d277123c7d42f1")]
    [InlineData("zoom_blur", 1, 224, "72656f157dac9dce 9a53397df4ad15a2 7254c488dc79970a 7447651e86bb32ae 7fa9355bf0a1c5ba")]
    [InlineData("pixelate", 1, 28, "ff47457ac8c5d71f 1a2109c9d34265df 9f3fabe24f1b3f53 22043943f41b47eb 0b758e2a8b6d9bce")]
    [InlineData("pixelate", 1, 32, "69f074c168549206 98bdce1170536b23 6bb3517ebbc8d2b0 dca5b4fc5e9b6230 6a7c2ef04eecc1e6")]
    [InlineData("pixelate", 3, 32, "a49f986f853a4034 d1efc3265d252685 ceeb701aa8e1d9e3 cc465548ce747077 9a781b8714ec28a3")]
    [InlineData("pixelate", 1, 224, "95f42107cad5bb64 07c2573677585a56 232d5cffe7526f1f 71417482c633a0d8 c81be2c9f4955a43")]
    public void Output_is_the_reference_output(string name, int channels, int size, string digests)
    {
        var corruption = SelectBench.Evaluation.Corruptions.Corruptions.Get(name);
        byte[] image = FormulaImage(channels, size);
        string[] expected = digests.Split(' ');
        for (int severity = 1; severity <= 5; severity++)
        {
            byte[] output = corruption.Apply(image, channels, size, size, severity, new CorruptionRandom(0));
            string actual = Convert.ToHexStringLower(SHA256.HashData(output))[..16];
            Assert.True(expected[severity - 1] == actual, $"{name} severity {severity} on {channels}x{size}x{size} differs from the reference");
        }
    }

    /// <summary>(x² + 3xy + 7y + 50c) mod 256, as reference.py's formula_image.</summary>
    private static byte[] FormulaImage(int channels, int size)
    {
        var image = new byte[channels * size * size];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    image[(c * size + y) * size + x] = (byte)((x * x + 3 * x * y + 7 * y + 50 * c) % 256);
        return image;
    }

    [Fact]
    public void Zoom_factors_follow_numpy_arange_arithmetic()
    {
        // np.arange(1, 1.31, 0.03)[10] is 1 + 10 * ((1 + 0.03) - 1) = 1.3000000000000003, not 1 + 10 * 0.03 = 1.3;
        // at 32 px the 25-pixel crop then zooms to round(32.500000000000007) = 33 pixels, not round(32.5) = 32.
        Assert.Equal(1.3000000000000003, ZoomBlur.ZoomFactors(5)[10]);
        Assert.Equal(33, ClippedZoom.ZoomedSize(32, ZoomBlur.ZoomFactors(5)[10]));
        Assert.Equal(32, ClippedZoom.ZoomedSize(32, 1.3));
    }
}
