package dev.keel.katib;

import dev.keel.katib.Experiment.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Quasi-random search under Katib's name {@code sobol} (goptuna's Sobol sampler): the points of a
 * Sobol sequence (Joe and Kuo's direction numbers, {@code new-joe-kuo-6.21201}, for up to {@value
 * #MAX_DIMENSIONS} parameters) mapped onto the space. Each unit-cube coordinate becomes a value:
 * int and double ranges linearly, on a log scale for {@code logUniform} and {@code logNormal},
 * categorical and discrete lists by index. Every {@code 2^k} consecutive points from the start
 * cover each axis evenly: of 64 points, 16 fall in each quarter of every axis.
 *
 * <p>The sequence is scrambled by a random digital shift (each coordinate's bits XORed with a
 * number drawn from {@code random_state}, 0 when unset), which keeps its even coverage and moves
 * its first point off the lower corner; skipping that point instead would spoil the coverage. The
 * same seed, set or not, gives the same points. The sequence index is the number of trials in the
 * history, so a restarted experiment carries on where it stopped; points that repeat an earlier
 * assignment (small int or categorical spaces) are passed over. Parameters past the {@value
 * #MAX_DIMENSIONS}th are drawn at random.
 */
final class Sobol extends Search {
  /** The settings Sobol takes: Katib's goptuna service takes none, Keel takes a seed. */
  static final Set<String> SETTINGS = Set.of("random_state");

  /** The number of dimensions the direction numbers below cover. */
  static final int MAX_DIMENSIONS = 32;

  private static final int BITS = 32;

  /**
   * Joe and Kuo's {@code s a m_1 .. m_s} for dimensions 2 to 32 (dimension 1 is van der Corput's
   * sequence and needs none).
   */
  private static final int[][] JOE_KUO = {
    {1, 0, 1},
    {2, 1, 1, 3},
    {3, 1, 1, 3, 1},
    {3, 2, 1, 1, 1},
    {4, 1, 1, 1, 3, 3},
    {4, 4, 1, 3, 5, 13},
    {5, 2, 1, 1, 5, 5, 17},
    {5, 4, 1, 1, 5, 5, 5},
    {5, 7, 1, 1, 7, 11, 19},
    {5, 11, 1, 1, 5, 1, 1},
    {5, 13, 1, 1, 1, 3, 11},
    {5, 14, 1, 3, 5, 5, 31},
    {6, 1, 1, 3, 3, 9, 7, 49},
    {6, 13, 1, 1, 1, 15, 21, 21},
    {6, 16, 1, 3, 1, 13, 27, 49},
    {6, 19, 1, 1, 1, 15, 7, 5},
    {6, 22, 1, 3, 1, 15, 13, 25},
    {6, 25, 1, 1, 5, 5, 19, 61},
    {7, 1, 1, 3, 7, 11, 23, 15, 103},
    {7, 4, 1, 3, 7, 13, 13, 15, 69},
    {7, 7, 1, 1, 3, 13, 7, 35, 63},
    {7, 8, 1, 3, 5, 9, 1, 25, 53},
    {7, 14, 1, 3, 1, 13, 9, 35, 107},
    {7, 19, 1, 3, 1, 5, 27, 61, 31},
    {7, 21, 1, 1, 5, 11, 19, 41, 61},
    {7, 28, 1, 3, 5, 3, 3, 13, 69},
    {7, 31, 1, 1, 7, 13, 1, 19, 1},
    {7, 32, 1, 3, 7, 5, 13, 19, 59},
    {7, 37, 1, 1, 3, 9, 25, 29, 41},
    {7, 41, 1, 3, 5, 13, 23, 1, 55},
    {7, 42, 1, 3, 7, 3, 13, 59, 17},
  };

  private final int[][] directions;
  private final int[] shift;

  Sobol(List<Parameter> space, Map<String, String> settings, boolean maximize) {
    super(space, settings, maximize);
    int dims = Math.min(space.size(), MAX_DIMENSIONS);
    this.directions = new int[dims][];
    this.shift = new int[dims];
    Random scramble = new Random(Long.parseLong(settings.getOrDefault("random_state", "0")));
    for (int d = 0; d < dims; d++) {
      directions[d] = directions(d);
      shift[d] = scramble.nextInt();
    }
  }

  @Override
  public List<Map<String, String>> suggest(int n, List<Observed> history) {
    long[] index = {history.size()};
    return fresh(n, history, () -> assignment(point(index[0]++)));
  }

  /** The direction numbers {@code V_1 .. V_32} of dimension {@code d} (from 0), as 32-bit ints. */
  static int[] directions(int d) {
    int[] v = new int[BITS + 1];
    if (d == 0) {
      for (int k = 1; k <= BITS; k++) {
        v[k] = 1 << (BITS - k);
      }
      return v;
    }
    int[] row = JOE_KUO[d - 1];
    int s = row[0];
    int a = row[1];
    for (int k = 1; k <= Math.min(s, BITS); k++) {
      v[k] = row[1 + k] << (BITS - k);
    }
    for (int k = s + 1; k <= BITS; k++) {
      v[k] = v[k - s] ^ (v[k - s] >>> s);
      for (int l = 1; l < s; l++) {
        if (((a >>> (s - 1 - l)) & 1) == 1) {
          v[k] ^= v[k - l];
        }
      }
    }
    return v;
  }

  /**
   * Point {@code i} of the shifted sequence in the unit cube; coordinates past the table are
   * random.
   */
  double[] point(long i) {
    double[] x = new double[space.size()];
    for (int d = 0; d < x.length; d++) {
      x[d] =
          d < directions.length
              ? ((bits(directions[d], i) ^ shift[d]) & 0xffffffffL) / 4294967296.0
              : random.nextDouble();
    }
    return x;
  }

  /** The 32 bits of point {@code i} of Sobol's own sequence, in Gray-code order. */
  static int bits(int[] v, long i) {
    long gray = i ^ (i >>> 1);
    int bits = 0;
    for (int k = 1; k <= BITS; k++) {
      if (((gray >>> (k - 1)) & 1) == 1) {
        bits ^= v[k];
      }
    }
    return bits;
  }

  private Map<String, String> assignment(double[] u) {
    Map<String, String> a = new LinkedHashMap<>();
    for (int d = 0; d < u.length; d++) {
      Parameter p = space.get(d);
      a.put(p.name(), format(p, value(p, u[d])));
    }
    return a;
  }

  /** The value of {@code p} at unit coordinate {@code u}: a list index or a number. */
  static double value(Parameter p, double u) {
    return switch (p.type()) {
      case "categorical", "discrete" -> Math.min(p.list().size() - 1, (int) (u * p.list().size()));
      case "int" -> {
        if (p.distribution().startsWith("log")) {
          yield logScale(p, u);
        }
        long step = p.step() == null ? 1 : Math.max(1, Math.round(p.step()));
        long lo = Math.round(p.min());
        long count = (Math.round(p.max()) - lo) / step + 1;
        yield lo + Math.min(count - 1, (long) (u * count)) * step;
      }
      default ->
          p.distribution().startsWith("log") ? logScale(p, u) : p.min() + u * (p.max() - p.min());
    };
  }

  private static double logScale(Parameter p, double u) {
    double lo = Math.log(p.min());
    return Math.exp(lo + u * (Math.log(p.max()) - lo));
  }
}
