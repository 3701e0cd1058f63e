.class public Lorg/gov/clean/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method public greeting()Ljava/lang/String;
    .registers 2
    const-string v0, "办事指南"
    return-object v0
.end method
