namespace RobeGen.Tests.Cpu;

/// <summary>Compares fp32 analytic gradients with float64 central differences.</summary>
internal static class GradientAssert
{
    /// <summary>Each |analytic - numeric| must be within 1e-3 relative plus 1e-4 of the tensor's largest gradient
    /// (fp32 sums of a few hundred terms are good to about 1e-6 relative; the slack covers ReLU kinks near 0).</summary>
    public static void Close(IReadOnlyList<double> numeric, ReadOnlySpan<float> analytic, string what)
    {
        Assert.Equal(numeric.Count, analytic.Length);
        double scale = numeric.Select(Math.Abs).DefaultIfEmpty(0).Max();
        Assert.True(scale > 0 || numeric.Count == 0, $"{what}: every numeric gradient is zero, the check would prove nothing.");
        for (int i = 0; i < numeric.Count; i++)
        {
            double tolerance = 1e-3 * Math.Abs(numeric[i]) + 1e-4 * scale + 1e-9;
            Assert.True(Math.Abs(analytic[i] - numeric[i]) <= tolerance,
                $"{what}[{i}]: analytic {analytic[i]:G9}, numeric {numeric[i]:G9}");
        }
    }

    /// <summary>Central difference of f around x[index] (x is restored).</summary>
    public static double Numeric(double[] x, int index, Func<double> f, double h = 1e-5)
    {
        double saved = x[index];
        x[index] = saved + h;
        double up = f();
        x[index] = saved - h;
        double down = f();
        x[index] = saved;
        return (up - down) / (2 * h);
    }
}
