import java.util.*;
public class Leak {
  static final List<Object> leaked = new ArrayList<>();
  static final class Session { long id; int a, b; Session(long i) { id = i; } }
  public static void main(String[] args) throws Exception {
    for (int phase = 0; phase < 1000; phase++) {
      for (int i = 0; i < 20000; i++) leaked.add(new Session(i));
      for (int i = 0; i < 100; i++) leaked.add(new byte[1000 + i]);
      Thread.sleep(1000);
    }
  }
}
