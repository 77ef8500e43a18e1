using SelectBench.Data;
using SelectBench.Evaluation.Corruptions;

namespace SelectBench.Tests.Evaluation.Corruptions;

/// <summary>
/// The fixed image sets of scripts/corruption-reference/reference.py (image_sets), rebuilt from the Debian
/// package's Fashion-MNIST test images so tests can compare with the reference numbers that script printed:
/// fm28 (the first 100 images), fm32 (fm28 padded with 2 px of zeros), fm224 (the first 20 enlarged 8x by
/// pixel repetition) and fm32x3 (fm32 as 3 equal channels, what imagecorruptions' corrupt() makes of a grey image).
/// </summary>
internal static class FashionMnistSets
{
    private static readonly Lazy<ImageSet> Test = new(() => FashionMnist.LoadSplit(FashionMnist.SystemFolder, train: false));

    public static (byte[] Pixels, int Count, ImageShape Shape) Get(string name) => name switch
    {
        "fm28" => (Test.Value.Pixels.AsSpan(0, 100 * 784).ToArray(), 100, new ImageShape(1, 28, 28)),
        "fm32" => (Resize(100, 32, 1, Padded), 100, new ImageShape(1, 32, 32)),
        "fm224" => (Resize(20, 224, 1, (y, x, i) => Pixel(i, y / 8, x / 8)), 20, new ImageShape(1, 224, 224)),
        "fm32x3" => (Resize(100, 32, 3, Padded), 100, new ImageShape(3, 32, 32)),
        _ => throw new ArgumentException($"unknown set {name}"),
    };

    private static byte Pixel(int image, int y, int x) => Test.Value.Pixels[image * 784 + y * 28 + x];

    // 2 px of zeros around the 28 px image (np.pad(..., ((2, 2), (2, 2)))).
    private static byte Padded(int y, int x, int image) =>
        y >= 2 && y < 30 && x >= 2 && x < 30 ? Pixel(image, y - 2, x - 2) : (byte)0;

    private static byte[] Resize(int count, int side, int channels, Func<int, int, int, byte> pixel)
    {
        var result = new byte[count * channels * side * side];
        for (int i = 0; i < count; i++)
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < side; y++)
                    for (int x = 0; x < side; x++)
                        result[((i * channels + c) * side + y) * side + x] = pixel(y, x, i);
        return result;
    }
}
