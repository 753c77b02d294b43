/**
 * The {@code hivewall} command, one class per subcommand (picocli). Today it runs node-local
 * commands ({@code doctor}, {@code lab}); agent commands will talk to the agent's API only.
 */
package dev.hivewall.cli;
