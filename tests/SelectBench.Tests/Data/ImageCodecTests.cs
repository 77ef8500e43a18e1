using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class ImageCodecTests
{
    [Fact]
    public void PngRoundTripIsExactAndGreyUsesBt601Weights()
    {
        var png = Fixtures.Png(3, 5, 100, 150, 200);
        var rgb = ImageCodec.Decode(png, "x.png", ImageTransform.AsIs, 1000);
        Assert.Equal((3, 3, 5), (rgb.Channels, rgb.Height, rgb.Width));
        Assert.Equal(Fixtures.Solid(3, 5, 100, 150, 200), rgb.Pixels);
        var grey = ImageCodec.Decode(png, "x.png", new ImageTransform(Channels: 1), 1000);
        // (299*100 + 587*150 + 114*200) / 1000 = 140.75 -> 141
        Assert.All(grey.Pixels, p => Assert.Equal(141, p));
    }

    [Fact]
    public void JpegDecodesCloseToItsColour()
    {
        var image = ImageCodec.Decode(Fixtures.Jpeg(16, 16, 200, 40, 90), "x.jpg", ImageTransform.AsIs, 1000);
        Assert.InRange(image.Pixels[0], 190, 210);
        Assert.InRange(image.Pixels[256], 30, 50);
        Assert.InRange(image.Pixels[512], 80, 100);
    }

    [Fact]
    public void WebpLosslessRoundTrip()
    {
        var px = Fixtures.Solid(6, 6, 10, 120, 230);
        var webp = ImageCodec.Encode(px, 3, 6, 6, SkiaSharp.SKEncodedImageFormat.Webp, 100);
        var back = ImageCodec.Decode(webp, "x.webp", ImageTransform.AsIs, 1000);
        // Quality 100 selects lossless WebP in Skia's encoder.
        Assert.Equal(px, back.Pixels);
    }

    [Fact]
    public void ResizeShorterSideThenCenterCropFollowsTorchvision()
    {
        // 40 wide x 20 high: left quarter red, the rest blue. Shorter side 10 -> 20x10; crop 10x10 starts at x = 5,
        // i.e. source x = 10: all blue. A direct resize to 10x10 keeps red at the left.
        var px = Fixtures.Solid(20, 40, 0, 0, 255);
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 10; x++) { px[y * 40 + x] = 255; px[2 * 800 + y * 40 + x] = 0; }
        var png = ImageCodec.Encode(px, 3, 20, 40);
        var cropped = ImageCodec.Decode(png, "a.png", ImageTransform.ResizeThenCenterCrop(10, 10), 10_000);
        Assert.Equal((3, 10, 10), (cropped.Channels, cropped.Height, cropped.Width));
        Assert.True(cropped.Pixels.Take(100).All(r => r < 30), "crop should hold no red");
        var stretched = ImageCodec.Decode(png, "a.png", ImageTransform.Resize(10), 10_000);
        Assert.True(stretched.Pixels[5 * 10 + 0] > 200, "stretched left column should stay red");
    }

    [Fact]
    public void TruncatedAndGarbageInputsAreNamedErrors()
    {
        var png = Fixtures.Png(64, 64, 1, 2, 3);
        var e1 = Assert.Throws<BadInputException>(() => ImageCodec.Decode(png.AsSpan(0, png.Length / 2), "cut.png", ImageTransform.AsIs, 1_000_000));
        Assert.Equal("cut.png", e1.Item);
        var e2 = Assert.Throws<BadInputException>(() => ImageCodec.Decode("hello, not an image"u8, "text.jpg", ImageTransform.AsIs, 1_000_000));
        Assert.Contains("not a decodable image", e2.Message);
        Assert.Throws<BadInputException>(() => ImageCodec.Decode([], "empty.png", ImageTransform.AsIs, 1_000_000));
    }

    [Fact]
    public void DecompressionBombIsRefusedFromItsHeader()
    {
        // 100,000 x 100,000 RGB would need 40 GB as RGBA; the header alone is 60 bytes.
        var bomb = Fixtures.PngHeaderDeclaring(100_000, 100_000);
        var e = Assert.Throws<BadInputException>(() => ImageCodec.Decode(bomb, "bomb.png", ImageTransform.AsIs, DataLoadOptions.DefaultMaxImagePixels));
        Assert.Equal("bomb.png", e.Item);
        Assert.Contains("100000x100000", e.Message);
        Assert.Contains("decompression bomb", e.Message);
    }

    [Fact]
    public void CapIsConfigurable()
    {
        var png = Fixtures.Png(10, 10, 0, 0, 0);
        Assert.Throws<BadInputException>(() => ImageCodec.Decode(png, "p.png", ImageTransform.AsIs, 99));
        Assert.Equal(10, ImageCodec.Decode(png, "p.png", ImageTransform.AsIs, 100).Width);
    }
}

public class GreyEncodingTests
{
    [Theory]
    [InlineData(SkiaSharp.SKEncodedImageFormat.Png)]
    [InlineData(SkiaSharp.SKEncodedImageFormat.Webp)]
    public void GreyImagesRoundTripExactly(SkiaSharp.SKEncodedImageFormat format)
    {
        var px = Enumerable.Range(0, 35).Select(i => (byte)(i * 7)).ToArray();
        var encoded = ImageCodec.Encode(px, 1, 5, 7, format, 100);
        var back = ImageCodec.Decode(encoded, "g", new ImageTransform(Channels: 1), 100);
        Assert.Equal(px, back.Pixels);
    }
}
