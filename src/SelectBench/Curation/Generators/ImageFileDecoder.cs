using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Curation.Generators;

/// <summary>
/// Decodes an image file to a fixed C x H x W uint8 array with the data stage's <see cref="ImageCodec"/>:
/// stretched to H x W (torchvision's Resize((h, w))), grey as ITU-R BT.601 luma, guarded against
/// decompression bombs and truncated files.
/// </summary>
internal static class ImageFileDecoder
{
    public static byte[] Decode(string path, int channels, int height, int width, string item)
    {
        if (!File.Exists(path)) throw new BadInputException(item, $"image file {path} does not exist.");
        var transform = new ImageTransform(ResizeMode.Stretch, width, height, 0, channels);
        return ImageCodec.Decode(File.ReadAllBytes(path), item, transform, DataLoadOptions.DefaultMaxImagePixels).Pixels;
    }
}
