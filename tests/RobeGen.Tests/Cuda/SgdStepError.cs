using RobeGen.Backends;

namespace RobeGen.Tests.Cuda;

/// <summary>How far one SGD step at learning rate 1 (the update is minus the gradient) lies from an expected gradient.</summary>
internal static class SgdStepError
{
    /// <summary>||(before - after) - expected|| / ||expected|| over the tensor <paramref name="name"/>.</summary>
    public static double Relative(ModelState before, ModelState after, string name, double[] expected)
    {
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double actual = before[name][i] - after[name][i];
            num += (actual - expected[i]) * (actual - expected[i]);
            den += expected[i] * expected[i];
        }
        return Math.Sqrt(num / den);
    }
}
