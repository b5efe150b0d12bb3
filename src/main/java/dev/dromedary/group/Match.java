package dev.dromedary.group;

public enum Match {
    ALL, ANY
}
