namespace RobeGen.Training;

/// <summary>The learning rate as a function of the step (0-based).</summary>
public abstract record LearningRateSchedule
{
    /// <summary>The learning rate used by step <paramref name="step"/>.</summary>
    public abstract float At(long step);

    /// <summary>A constant rate, as the ROBE paper trains.</summary>
    public static LearningRateSchedule Constant(float rate) => new ConstantSchedule(rate);

    /// <summary>
    /// MLPerf DLRM's schedule: linear warm-up from 0 over <paramref name="warmupSteps"/>, constant until
    /// <paramref name="decayStart"/>, then polynomial (power 2) decay to <paramref name="endRate"/> over
    /// <paramref name="decaySteps"/>, constant after.
    /// </summary>
    public static LearningRateSchedule WarmupPolynomialDecay(float rate, long warmupSteps, long decayStart, long decaySteps, float endRate = 0f, double power = 2.0)
        => new WarmupPolynomialDecaySchedule(rate, warmupSteps, decayStart, decaySteps, endRate, power);

    /// <summary>Parses "constant" or "mlperf:WARMUP:DECAY_START:DECAY_STEPS" (the CLI's --lr-schedule).</summary>
    public static LearningRateSchedule Parse(string text, float rate)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        switch (parts[0].ToLowerInvariant())
        {
            case "constant" when parts.Length == 1:
                return Constant(rate);
            case "mlperf" when parts.Length == 4
                && long.TryParse(parts[1], out long warmup) && long.TryParse(parts[2], out long start) && long.TryParse(parts[3], out long steps)
                && warmup >= 0 && start >= warmup && steps > 0:
                return WarmupPolynomialDecay(rate, warmup, start, steps);
            default:
                throw new FormatException(
                    $"Unknown learning-rate schedule '{text}'. Use 'constant' or 'mlperf:WARMUP:DECAY_START:DECAY_STEPS' (for example mlperf:8000:48000:27000).");
        }
    }
}

internal sealed record ConstantSchedule(float Rate) : LearningRateSchedule
{
    public override float At(long step) => Rate;
    public override string ToString() => $"constant {Rate}";
}

internal sealed record WarmupPolynomialDecaySchedule(float Rate, long WarmupSteps, long DecayStart, long DecaySteps, float EndRate, double Power)
    : LearningRateSchedule
{
    public override float At(long step)
    {
        if (step < WarmupSteps)
            return (float)(Rate * (double)(step + 1) / WarmupSteps);
        if (step < DecayStart)
            return Rate;
        long into = Math.Min(step - DecayStart, DecaySteps);
        double remaining = 1.0 - (double)into / DecaySteps;
        return (float)(EndRate + (Rate - EndRate) * Math.Pow(remaining, Power));
    }

    public override string ToString() => $"mlperf {Rate} warmup {WarmupSteps} decay {DecayStart}+{DecaySteps}";
}
