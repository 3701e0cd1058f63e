.class public Lorg/gov/net/Portal;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method public endpoint()Ljava/lang/String;
    .registers 2
    const-string v0, "http://10.12.0.8/portal/login"
    return-object v0
.end method
