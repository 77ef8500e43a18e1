using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class ImageCodecScaledTests
{
    [Theory]
    // 400 x 300 JPEG: libjpeg-turbo scales by k/8 and rounds sides up, so k/8 of 300 must reach the request.
    [InlineData(300, 400, 300)]  // needs full size
    [InlineData(200, 300, 225)]  // 6/8 (5/8 gives 187.5 -> 188 < 200)
    [InlineData(150, 200, 150)]  // 4/8 exactly
    [InlineData(38, 50, 38)]     // 1/8: 37.5 rounds up to 38
    [InlineData(1000, 400, 300)] // larger than the image: full size, never upscaled
    public void JpegDecodesAtTheSmallestScaleCoveringTheRequest(int minShortSide, int width, int height)
    {
        var jpeg = Fixtures.Jpeg(300, 400, 200, 40, 90);
        var image = ImageCodec.DecodeScaled(jpeg, minShortSide);
        Assert.Equal((3, height, width), (image.Channels, image.Height, image.Width));
        Assert.InRange(image.Pixels[image.Height * image.Width / 2], 190, 210);
    }

    [Fact]
    public void PngCannotScaleAndDecodesAtFullSize()
    {
        var image = ImageCodec.DecodeScaled(Fixtures.Png(24, 40, 1, 2, 3), 6);
        Assert.Equal((24, 40), (image.Height, image.Width));
    }

    [Fact]
    public void ScaledTransformKeepsTheTransformsOutputSize()
    {
        var jpeg = Fixtures.Jpeg(300, 400, 200, 40, 90);
        var image = ImageCodec.DecodeScaled(jpeg, "x.jpg", ImageTransform.ResizeThenCenterCrop(73, 64), 1_000_000);
        Assert.Equal((3, 64, 64), (image.Channels, image.Height, image.Width));
        Assert.InRange(image.Pixels[0], 190, 210);
    }

    [Fact]
    public void DimensionsReadTheHeader() =>
        Assert.Equal((400, 300), ImageCodec.Dimensions(Fixtures.Jpeg(300, 400, 1, 2, 3), "x.jpg"));

    /// <summary>A textured 300 x 400 image (R a horizontal ramp, G a vertical one, B a checker), so region offsets show.</summary>
    private static byte[] Textured(SkiaSharp.SKEncodedImageFormat format)
    {
        const int h = 300, w = 400;
        var chw = new byte[3 * h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                chw[y * w + x] = (byte)(x * 255 / (w - 1));
                chw[h * w + y * w + x] = (byte)(y * 255 / (h - 1));
                chw[2 * h * w + y * w + x] = (byte)((x / 16 + y / 16) % 2 * 200);
            }
        return ImageCodec.Encode(chw, 3, h, w, format, 100);
    }

    [Theory]
    [InlineData(true)]   // JPEG: scanline decode with skipped rows and iMCU-cropped columns
    [InlineData(false)]  // PNG: whole decode, region copied out
    public void RegionDecodeIsTheSameRegionOfTheWholeDecodeAtTheSameScale(bool jpeg)
    {
        var encoded = Textured(jpeg ? SkiaSharp.SKEncodedImageFormat.Jpeg : SkiaSharp.SKEncodedImageFormat.Png);
        // Box 120 x 100 at (left 150, top 90) in full-size pixels; minimum scale 0.5 -> JPEG decodes at 4/8 (200 x 150).
        var pixels = new byte[16];
        var region = ImageCodec.DecodeRgbaRegion(encoded, "x", (w, h) => (0.5, 150, 90, 120, 100), ref pixels);
        var (whole, _, _, sx, sy) = ImageCodec.DecodeRgbaAtScale(encoded, "x", (w, h) => 0.5);
        using (whole)
        {
            Assert.Equal((sx, sy), (region.ScaleX, region.ScaleY));
            Assert.Equal(jpeg ? (200, 150) : (400, 300), (whole.Width, whole.Height));
            // Columns floor(150 sx) - 1 .. ceil(270 sx) + 1 and rows floor(90 sy) - 1 .. ceil(190 sy) + 1.
            int x0 = (int)Math.Floor(150 * sx) - 1, y0 = (int)Math.Floor(90 * sy) - 1;
            Assert.Equal((x0, y0), (region.Left, region.Top));
            Assert.Equal(((int)Math.Ceiling(270 * sx) + 1 - x0, (int)Math.Ceiling(190 * sy) + 1 - y0), (region.Width, region.Height));
            var all = whole.GetPixelSpan();
            int worst = 0;
            for (int y = 0; y < region.Height; y++)
                for (int k = 0; k < 4 * region.Width; k++)
                    worst = Math.Max(worst, Math.Abs(pixels[4 * region.Width * y + k] - all[(region.Top + y) * whole.RowBytes + 4 * region.Left + k]));
            Assert.Equal(0, worst);
        }
    }
}
