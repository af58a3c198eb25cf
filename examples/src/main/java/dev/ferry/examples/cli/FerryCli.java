package dev.ferry.examples.cli;

/** Placeholder replaced by the command line in the next commit. */
public final class FerryCli {
    private FerryCli() {
    }

    public static void main(String[] args) {
        System.out.println("ferry");
    }
}
